%% The steps of tests/gen_server_test.cpp (TrappingStarterSeesTheExitsOtpSends) on the BEAM:
%% erlc gen_server_exits.erl && erl -noshell -eval 'gen_server_exits:main()' -s init stop
-module(gen_server_exits).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).
init(ignore) -> ignore;
init(stop) -> {stop, no_db};
init(crash) -> error(boom);
init(ok) -> {ok, s}.
handle_call(stop_reply, _, S) -> {stop, bye, my_reply, S};
handle_call(crash, _, _S) -> error(oops);
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
terminate(R, _) -> io:format("terminate ~0p~n", [R]).
flush() -> receive M -> [strip(M) | flush()] after 50 -> [] end.
strip(P) when is_pid(P) -> pid;
strip(T) when is_tuple(T) -> list_to_tuple([strip(X) || X <- tuple_to_list(T)]);
strip(L) when is_list(L) -> [strip(X) || X <- L];
strip(X) -> X.
short({error, {boom, _}}) -> {error, {boom, stack}};
short(R) -> strip(R).
main() ->
    logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    [begin R = gen_server:start_link(?MODULE, M, []), io:format("~p: ~0p mailbox ~0p~n", [M, short(R), flush()]) end || M <- [ignore, stop, crash]],
    {ok, P} = gen_server:start_link(?MODULE, ok, []),
    io:format("stop_reply: ~0p~n", [catch gen_server:call(P, stop_reply)]),
    io:format("after stop_reply mailbox ~0p~n", [flush()]),
    {ok, P2} = gen_server:start_link(?MODULE, ok, []),
    io:format("crash call: ~0p~n", [strip(catch gen_server:call(P2, crash))]),
    io:format("after crash mailbox ~0p~n", [[case X of {'EXIT', pid, {oops, _}} -> exit_oops_stack; _ -> X end || X <- flush()]]),
    {ok, P3} = gen_server:start_link(?MODULE, ok, []),
    io:format("stop: ~0p~n", [gen_server:stop(P3)]),
    io:format("after stop mailbox ~0p~n", [flush()]),
    {ok, P4} = gen_server:start_link(?MODULE, ok, []),
    io:format("stop custom: ~0p~n", [gen_server:stop(P4, {shutdown, x}, infinity)]),
    io:format("after stop custom mailbox ~0p~n", [flush()]),
    ok.
