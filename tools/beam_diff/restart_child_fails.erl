%% restart_child of a stopped child whose start now fails: the bare {error, R} (start_child
%% wraps it with the child record); a start that raises gives {error, {'EXIT', R}}. The child
%% stays stopped. A child whose start returned a pid it did not link: when that pid dies
%% which_children still lists it and count_children does not count it.
%% erlc restart_child_fails.erl && erl -noshell -s restart_child_fails main
-module(restart_child_fails).
-behaviour(supervisor).
-export([main/0, init/1, start/1]).
start(Id) ->
    case persistent_term:get({mode, Id}, ok) of
        ok -> {ok, spawn_link(fun() -> receive after infinity -> ok end end)};
        unlinked -> {ok, spawn(fun() -> receive stop -> ok end end)};
        fail -> {error, nope};
        raise -> exit(bad)
    end.
init([]) -> {ok, {#{strategy => one_for_one, intensity => 10, period => 5},
   [#{id => I, start => {?MODULE, start, [I]}} || I <- [a, b]]}}.
main() ->
    {ok, Sup} = supervisor:start_link(?MODULE, []),
    ok = supervisor:terminate_child(Sup, a),
    ok = supervisor:terminate_child(Sup, b),
    persistent_term:put({mode, a}, fail),
    persistent_term:put({mode, b}, raise),
    io:format("restart_child failing: ~p~n", [supervisor:restart_child(Sup, a)]),
    io:format("restart_child raising: ~p~n", [supervisor:restart_child(Sup, b)]),
    io:format("which: ~p~n", [[{I, P} || {I, P, _, _} <- supervisor:which_children(Sup)]]),
    persistent_term:put({mode, a}, unlinked),
    {ok, U} = supervisor:restart_child(Sup, a),
    U ! stop, timer:sleep(20),
    io:format("unlinked child dead: which ~p count ~p~n", [[{I, P == U} || {I, P, _, _} <- supervisor:which_children(Sup)], supervisor:count_children(Sup)]),
    halt().
