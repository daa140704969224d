%% Two children killed one right after the other, intensity 1: under one_for_all and
%% rest_for_one the second child's EXIT is taken while the group is terminated (unlink_flush),
%% so it is one restart; under one_for_one it is two, and the supervisor gives up.
%% erlc two_die_at_once.erl && erl -noshell -s two_die_at_once main
-module(two_die_at_once).
-behaviour(supervisor).
-export([main/0, init/1, start_worker/1]).
start_worker(Id) -> {ok, spawn_link(fun() -> put(id, Id), receive after infinity -> ok end end)}.
init(Strategy) -> {ok, {#{strategy => Strategy, intensity => 1, period => 5},
   [#{id => I, start => {?MODULE, start_worker, [I]}} || I <- [a, b, c]]}}.
run(Strategy, Order) ->
    {ok, Sup} = supervisor:start_link(?MODULE, Strategy),
    Kids = [{I, P} || {I, P, _, _} <- supervisor:which_children(Sup)],
    M = monitor(process, Sup),
    [exit(proplists:get_value(I, Kids), kill) || I <- Order],
    R = receive {'DOWN', M, _, _, Why} -> {sup_down, Why} after 100 -> {sup_up, [I || {I, P, _, _} <- supervisor:which_children(Sup), is_pid(P), not lists:member(P, [P0 || {_, P0} <- Kids])]} end,
    receive {'EXIT', Sup, _} -> ok after 0 -> unlink(Sup), exit(Sup, kill) end,
    {Strategy, Order, R}.
main() ->
    process_flag(trap_exit, true),
    Rs = [run(S, O) || S <- [one_for_one, one_for_all, rest_for_one], O <- [[a, b], [b, a], [c, a]], _ <- lists:seq(1, 20)],
    [io:format("~p x~p~n", [R, length([X || X <- Rs, X == R])]) || R <- lists:usort(Rs)],
    halt().
