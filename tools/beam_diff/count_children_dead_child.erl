%% count_children's `active` counts only children that are alive (supervisor:count_child calls
%% is_process_alive/1); which_children lists the pid it holds. A child killed while the
%% supervisor is busy, its EXIT queued behind a count_children call, shows in which_children but
%% not in `active`. Two ways to open the window: sys:suspend, and a start_child whose start
%% function sleeps. A third case needs no window: a start function that returns a pid it did
%% not link; when that pid dies, which_children lists it for good and count_children never
%% counts it. erlc count_children_dead_child.erl && erl -noshell -s count_children_dead_child main
-module(count_children_dead_child).
-behaviour(supervisor).
-export([main/0, init/1, start_worker/0, start_slow/0, start_unlinked/0]).
start_worker() -> {ok, spawn_link(fun() -> receive after infinity -> ok end end)}.
start_slow() -> timer:sleep(30), start_worker().
start_unlinked() -> {ok, spawn(fun() -> receive stop -> ok end end)}.
init(Strategy) -> {ok, {#{strategy => Strategy, intensity => 10, period => 5},
   [#{id => a, start => {?MODULE, start_worker, []}}, #{id => b, start => {?MODULE, start_worker, []}, type => supervisor}]}}.
run(How) ->
    {ok, Sup} = supervisor:start_link(?MODULE, one_for_one),
    [{b, B, _, _}, {a, A, _, _}] = supervisor:which_children(Sup),
    Me = self(),
    case How of
        suspend -> sys:suspend(Sup);
        slow_start -> spawn(fun() -> Me ! {started, supervisor:start_child(Sup, #{id => c, start => {?MODULE, start_slow, []}})} end)
    end,
    timer:sleep(5),
    spawn(fun() -> Me ! {count, supervisor:count_children(Sup)} end),
    spawn(fun() -> timer:sleep(2), Me ! {which, supervisor:which_children(Sup)} end),
    timer:sleep(10),
    exit(A, kill), exit(B, kill),
    timer:sleep(5),
    case How of suspend -> sys:resume(Sup); slow_start -> ok end,
    C = receive {count, X} -> X end,
    W = receive {which, Y} -> [{I, P == A orelse P == B} || {I, P, _, _} <- Y, I /= c] end,
    timer:sleep(50),
    After = supervisor:count_children(Sup),
    unlink(Sup), exit(Sup, kill),
    {How, C, W, after_restarts, After}.
unlinked() ->
    {ok, Sup} = supervisor:start_link(?MODULE, one_for_one),
    {ok, U} = supervisor:start_child(Sup, #{id => u, start => {?MODULE, start_unlinked, []}}),
    U ! stop,
    timer:sleep(20),
    R = {unlinked, [{I, P == U} || {I, P, _, _} <- supervisor:which_children(Sup), I == u], supervisor:count_children(Sup)},
    unlink(Sup), exit(Sup, kill),
    R.
main() ->
    Rs = [run(How) || How <- [suspend, slow_start], _ <- lists:seq(1, 20)] ++ [unlinked() || _ <- lists:seq(1, 20)],
    [io:format("~p x~p~n", [R, length([X || X <- Rs, X == R])]) || R <- lists:usort(Rs)],
    halt().
