%% The supervisor of parent_exits.erl.
-module(parent_exits_sup).
-behaviour(supervisor).
-export([init/1]).
init(Log) -> {ok, {#{}, [#{id => w, start => {parent_exits, start_child, [Log]}}]}}.
