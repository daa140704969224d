-module(pid_order).
%% Pid term order against spawn order: after some processes died, and over 300,000 spawns.
%% erlc pid_order.erl && erl -noshell -s pid_order main
-export([main/0]).
main() ->
    Old = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1,5)],
    [P ! stop || P <- Old], timer:sleep(10),
    New = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1,5)],
    io:format("old ~p~nnew ~p~nsorted ~p~n", [Old, New, lists:sort(Old ++ New) =:= Old ++ New]),
    %% many spawns to wrap
    L = [begin P = spawn(fun() -> ok end), P end || _ <- lists:seq(1, 300000)],
    Inv = length([x || {A,B} <- lists:zip(lists:droplast(L), tl(L)), A > B]),
    io:format("inversions in 300000 sequential spawns: ~p, last ~p~n", [Inv, lists:last(L)]),
    halt().
