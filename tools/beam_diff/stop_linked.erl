%% gen_server:stop(P, R) called by P's non-trapping parent (start_link): does the caller survive?
%% 200 runs per reason. erlc stop_linked.erl && erl -noshell -s stop_linked main
-module(stop_linked).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(_) -> {ok, 0}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
run(R) ->
    {C, M} = spawn_monitor(fun() ->
        {ok, P} = gen_server:start_link(?MODULE, [], []),
        Res = (catch gen_server:stop(P, R, infinity)),
        exit({returned, Res})
    end),
    receive {'DOWN', M, process, C, Why} -> {R, Why} end.
main() ->
    Rs = [run(R) || R <- [normal, shutdown, {shutdown, x}, boom], _ <- lists:seq(1, 200)],
    [io:format("~p x~p~n", [R, length([X || X <- Rs, X == R])]) || R <- lists:usort(Rs)],
    halt().
