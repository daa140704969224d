%% A start under a local name right after an init under it failed, on the BEAM (OTP 25, two
%% schedulers); the `failed-init-frees-name` probe of the contracts suite and the rt suite's
%% names part make the same starts:
%% erlc gen_server_name_freed.erl && erl -noshell -eval 'gen_server_name_freed:main()' -s init stop
%% Prints "refused 0 of 20000" for init returning {stop, no}, ignore, and exiting: gen
%% unregisters the name before proc_lib's ack, so the second start never finds it held.
-module(gen_server_name_freed).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(stop) -> {stop, no};
init(ignore) -> ignore;
init(crash) -> exit(crashed);
init(ok) -> {ok, s}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
run(How, N) ->
    R = lists:foldl(fun(_, Acc) ->
            _ = gen_server:start({local, n}, ?MODULE, How, []),
            case gen_server:start({local, n}, ?MODULE, ok, []) of
                {ok, P} -> gen_server:stop(P), Acc;
                _ -> Acc + 1
            end
        end, 0, lists:seq(1, N)),
    io:format("init ~p, then a start under the same name: refused ~p of ~p~n", [How, R, N]).
main() ->
    logger:set_primary_config(level, none),
    io:format("schedulers ~p~n", [erlang:system_info(schedulers_online)]),
    [run(H, 20000) || H <- [stop, ignore, crash]].
