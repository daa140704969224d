-module(scw).
-behaviour(gen_server).
-export([start/0, init/1, handle_call/3, handle_cast/2]).
start() -> gen_server:start_link({local, plain}, ?MODULE, [], []).
init(_) -> {ok, s}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
