-module(one_for_all_killed_twice).
-behaviour(supervisor).
-export([test/0, init/1, start_worker/1, worker_init/2]).

%% The Erlang twin of properties::one_for_all_killed_twice (properties/explore_programs.hpp), for
%% comparing schedule counts with Concuerror (docs/testing.md):
%%   concuerror -f one_for_all_killed_twice.erl -t test --dpor optimal --instant_delivery false \
%%     --keep_going --treat_as_normal crash --treat_as_normal killed --treat_as_normal shutdown

test() ->
  {ok, Sup} = supervisor:start_link(?MODULE, []),
  Children = supervisor:which_children(Sup),
  {a, PidA, worker, _} = lists:keyfind(a, 1, Children),
  {c, PidC, worker, _} = lists:keyfind(c, 1, Children),
  Self = self(),
  spawn(fun() -> exit(PidA, crash), Self ! {done, a} end),
  spawn(fun() -> exit(PidC, crash), Self ! {done, c} end),
  receive {done, a} -> ok end,
  receive {done, c} -> ok end,
  true = is_process_alive(Sup),
  _ = supervisor:which_children(Sup),
  unlink(Sup),
  exit(Sup, shutdown),
  ok.

init([]) ->
  SupFlags = #{strategy => one_for_all, intensity => 3, period => 5},
  Specs = [#{id => Id, start => {?MODULE, start_worker, [Id]},
             restart => permanent, shutdown => brutal_kill, type => worker}
           || Id <- [a, b, c]],
  {ok, {SupFlags, Specs}}.

start_worker(Id) ->
  proc_lib:start_link(?MODULE, worker_init, [Id, self()]).

worker_init(_Id, Parent) ->
  proc_lib:init_ack(Parent, {ok, self()}),
  worker_loop().

worker_loop() ->
  receive _ -> worker_loop() end.
