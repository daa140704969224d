%% A named supervisor (and gen_server) started a second time while the first runs: the result,
%% whether the caller (not trapping) survives, whether the first keeps running, and whether the
%% second start ran any init. N runs of each.
%% erlc start_twice.erl && erl -noshell -s start_twice main
-module(start_twice).
-behaviour(supervisor).
-export([main/0, init/1, start_worker/0, worker/0]).
-define(N, 200).

init(Tag) ->
    ets:update_counter(start_twice_inits, Tag, 1, {Tag, 0}),
    {ok, {#{strategy => one_for_all}, [#{id => w, start => {?MODULE, start_worker, []}}]}}.
start_worker() -> {ok, spawn_link(fun ?MODULE:worker/0)}.
worker() -> receive after infinity -> ok end.

count(F) -> length([ok || _ <- lists:seq(1, ?N), F()]).
report(What, F) -> io:format("~s: ~p of ~p~n", [What, count(F), ?N]).

main() ->
    ets:new(start_twice_inits, [named_table, public]),
    report("supervisor:start_link({local,N}) twice: {error,{already_started,First}}, caller alive, first alive, 1 init", fun() ->
        Me = self(),
        Caller = spawn(fun() ->
            ets:insert(start_twice_inits, {one, 0}),
            {ok, First} = supervisor:start_link({local, pool_sup}, ?MODULE, one),
            Second = supervisor:start_link({local, pool_sup}, ?MODULE, one),
            [{one, Inits}] = ets:lookup(start_twice_inits, one),
            Me ! {self(), Second =:= {error, {already_started, First}}, is_process_alive(First),
                  whereis(pool_sup) =:= First, Inits},
            unlink(First), exit(First, shutdown),
            M = monitor(process, First), receive {'DOWN', M, _, _, _} -> ok end,
            Me ! {self(), done}
        end),
        R = receive {Caller, A, B, C, I} -> A andalso B andalso C andalso I =:= 1 after 2000 -> false end,
        receive {Caller, done} -> ok after 2000 -> ok end,
        R end),
    io:format("the second result, printed: ~p~n", [begin
        {ok, F} = supervisor:start_link({local, pool_sup}, ?MODULE, one),
        S = supervisor:start_link({local, pool_sup}, ?MODULE, one),
        unlink(F), exit(F, shutdown), timer:sleep(10),
        {F, S} end]),
    halt().
