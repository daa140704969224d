%% A server killed from outside while its init runs, on the BEAM (the `start-killed-in-init`
%% probe of the contracts suite makes the same calls):
%% erlc gen_server_start_killed.erl && erl -noshell -eval 'gen_server_start_killed:main()' -s init stop
%% Prints {error,killed} for start and for start_link from a trapping caller, {error,timeout}
%% for a start whose init outlasts its timeout, each with an empty mailbox afterwards.
-module(gen_server_start_killed).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init({slow_init, Ms}) -> timer:sleep(Ms), {ok, s}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
flush() -> receive M -> [M | flush()] after 50 -> [] end.
kill_soon() -> spawn(fun() -> timer:sleep(50), exit(whereis(srv), kill) end).
main() ->
    logger:set_primary_config(level, none),
    kill_soon(),
    R1 = gen_server:start({local, srv}, ?MODULE, {slow_init, 300}, []),
    io:format("start, init killed: ~0p mailbox ~0p~n", [R1, flush()]),
    process_flag(trap_exit, true),
    kill_soon(),
    R2 = gen_server:start_link({local, srv}, ?MODULE, {slow_init, 300}, []),
    io:format("start_link from a trapping caller, init killed: ~0p mailbox ~0p~n", [R2, flush()]),
    process_flag(trap_exit, false),
    R3 = gen_server:start(?MODULE, {slow_init, 300}, [{timeout, 50}]),
    io:format("start, init outlasts the timeout: ~0p mailbox ~0p~n", [R3, flush()]).
