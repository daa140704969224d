%% erlang:monitor(process, RegName) for a locally registered name: the DOWN's object, a name
%% nobody holds, a name re-registered after the monitor, demonitor. N runs of each case.
%% erlc monitor_name.erl && erl -noshell -s monitor_name main
-module(monitor_name).
-export([main/0]).
-define(N, 200).

idle() -> receive stop -> ok; {die, R} -> exit(R) end.

count(F) -> length([ok || _ <- lists:seq(1, ?N), F()]).

report(What, F) -> io:format("~s: ~p of ~p~n", [What, count(F), ?N]).

main() ->
    Node = node(),
    io:format("node() = ~p~n", [Node]),
    %% 1. a live holder dies: DOWN {RegName, node()} with its reason
    report("holder dies boom: DOWN object {Name, node()}, reason boom", fun() ->
        P = spawn(fun idle/0), register(mon_a, P),
        R = erlang:monitor(process, mon_a),
        P ! {die, boom},
        receive {'DOWN', R, process, {mon_a, Node}, boom} -> true; Other -> io:format("~p~n", [Other]), false
        after 1000 -> false end end),
    report("holder exits normal: DOWN {Name, node()} normal", fun() ->
        P = spawn(fun idle/0), register(mon_a, P),
        R = erlang:monitor(process, mon_a),
        P ! stop,
        receive {'DOWN', R, process, {mon_a, Node}, normal} -> true after 1000 -> false end end),
    %% 2. nobody holds the name: DOWN noproc, already in the mailbox when monitor returns
    report("name not registered: DOWN {Name, node()} noproc by receive-after-0", fun() ->
        R = erlang:monitor(process, mon_nobody),
        receive {'DOWN', R, process, {mon_nobody, Node}, noproc} -> true after 0 -> false end end),
    %% 3. re-registration after the monitor: the monitor stays on the first holder
    report("name moved to P2, P2 dies: no DOWN within 50 ms", fun() ->
        P1 = spawn(fun idle/0), register(mon_b, P1),
        R = erlang:monitor(process, mon_b),
        unregister(mon_b),
        P2 = spawn(fun idle/0), register(mon_b, P2),
        P2 ! {die, boom},
        Got = receive {'DOWN', R, _, _, _} -> true after 50 -> false end,
        P1 ! {die, later},
        Later = receive {'DOWN', R, process, {mon_b, Node}, later} -> true after 1000 -> false end,
        (not Got) andalso Later end),
    %% 4. demonitor: no DOWN after it; demonitor [flush] of a DOWN already queued
    report("demonitor then holder dies: no DOWN within 50 ms", fun() ->
        P = spawn(fun idle/0), register(mon_c, P),
        R = erlang:monitor(process, mon_c),
        true = erlang:demonitor(R),
        P ! {die, boom},
        receive {'DOWN', R, _, _, _} -> false after 50 -> true end end),
    report("demonitor flush of a noproc DOWN: mailbox empty", fun() ->
        R = erlang:monitor(process, mon_nobody),
        true = erlang:demonitor(R, [flush]),
        receive {'DOWN', R, _, _, _} -> false after 0 -> true end end),
    %% 5. monitoring one's own name: a ref, nothing arrives
    report("monitor own name: no DOWN", fun() ->
        register(mon_self, self()),
        R = erlang:monitor(process, mon_self),
        unregister(mon_self),
        receive {'DOWN', R, _, _, _} -> false after 10 -> true end end),
    %% 6. bad input
    io:format("monitor(process, \"str\"): ~p~n", [catch erlang:monitor(process, "str")]),
    halt().
