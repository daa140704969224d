%% Which shutdown values a child spec takes. erlc shutdown_zero.erl && erl -noshell -s shutdown_zero main
-module(shutdown_zero).
-behaviour(supervisor).
-export([main/0, init/1, start/0]).
start() -> {ok, spawn_link(fun() -> receive after infinity -> ok end end)}.
init(S) -> {ok, {#{}, [#{id => a, start => {?MODULE, start, []}, shutdown => S}]}}.
main() ->
    process_flag(trap_exit, true),
    [io:format("shutdown ~p: ~p~n", [S, catch supervisor:start_link(?MODULE, S)]) || S <- [0, -1, 1, infinity, brutal_kill, foo]],
    halt().
