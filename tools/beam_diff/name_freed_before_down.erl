%% A named server stopped (a cast makes it stop with boom) 20,000 times, on the BEAM (OTP 25): the
%% caller looks the name up right after each DOWN and starts a server under it again.
%% erlc name_freed_before_down.erl && erl -noshell -eval 'name_freed_before_down:main()' -s init stop
%% Prints 0 and 0: the name is unregistered before the exit's signals go out.
-module(name_freed_before_down).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(ok) -> {ok, s}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {stop, boom, S}.
main() ->
    logger:set_primary_config(level, none),
    {ok, P0} = gen_server:start({local, n}, ?MODULE, ok, []),
    {Stale, Refused, _} = lists:foldl(fun(_, {St, Rf, P}) ->
            M = monitor(process, P),
            gen_server:cast(P, x),
            receive {'DOWN', M, _, _, _} -> ok end,
            St1 = case whereis(n) of undefined -> St; _ -> St + 1 end,
            case gen_server:start({local, n}, ?MODULE, ok, []) of
                {ok, P2} -> {St1, Rf, P2};
                _ -> timer:sleep(1), {ok, P3} = gen_server:start({local, n}, ?MODULE, ok, []), {St1, Rf + 1, P3}
            end
        end, {0, 0, P0}, lists:seq(1, 20000)),
    io:format("schedulers ~p: after the DOWN the name still registered ~p, a start under it refused ~p of 20000~n",
              [erlang:system_info(schedulers_online), Stale, Refused]).
