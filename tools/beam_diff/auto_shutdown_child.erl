-module(auto_shutdown_child).
-behaviour(gen_server).
-export([start_link/2, init/1, handle_call/3, handle_cast/2]).
%% Name: a | b. Fails: number of restarts (starts after the 1st) that fail with {stop, x}
start_link(Name, Fails) -> gen_server:start_link(?MODULE, {Name, Fails}, []).
init({Name, Fails}) ->
    C = persistent_term:get({cnt, Name}),
    N = counters:get(C, 1), counters:add(C, 1, 1),
    if N >= 1, N =< Fails -> N =< 2 andalso io:format("  ~p init #~p -> {stop,x}~n", [Name, N]), {stop, x};
       true -> io:format("  ~p init #~p -> ok ~p~n", [Name, N, self()]), {ok, Name}
    end.
handle_call(stop_normal, _F, S) -> {stop, normal, ok, S}.
handle_cast(_, S) -> {noreply, S}.
