%% erlang:send_after to a pid that is already dead, then cancel_timer / read_timer at once and
%% after the time. erlc timer_dead_dest.erl && erl -noshell -s timer_dead_dest main
-module(timer_dead_dest).
-export([main/0]).
main() ->
    {P, M} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', M, _, _, _} -> ok end,
    T1 = erlang:send_after(100, P, x),
    io:format("cancel at once: ~p~n", [erlang:cancel_timer(T1)]),
    T2 = erlang:send_after(100, P, x),
    timer:sleep(10),
    io:format("cancel after 10 ms: ~p~n", [erlang:cancel_timer(T2)]),
    Q = spawn(fun() -> receive after infinity -> ok end end),
    T3 = erlang:send_after(100, Q, x),
    exit(Q, kill),
    io:format("cancel right after killing the destination: ~p~n", [erlang:cancel_timer(T3)]),
    halt().
