%% A non-trapping caller linked to the server it calls; the server stops with R in the call
%% (no reply). Which reason does the caller die with: R (the link) or {R, {gen_server,call,...}}
%% (the DOWN)? erlc linked_caller.erl && erl -noshell -s linked_caller main
-module(linked_caller).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(_) -> {ok, 0}.
handle_call({stop, R}, _From, S) -> {stop, R, S};
handle_call({crash, R}, _From, _S) -> exit(R).
handle_cast(_, S) -> {noreply, S}.
run(How, R) ->
    {Pid, M} = spawn_monitor(fun() ->
        {ok, P} = gen_server:start_link(?MODULE, [], []),
        gen_server:call(P, {How, R})
    end),
    receive {'DOWN', M, process, Pid, Why} -> {How, R, case Why of {R, {gen_server, call, _}} -> call_exit; R -> link; X -> X end} end.
main() ->
    Rs = [run(How, R) || How <- [stop, crash], R <- [boom, shutdown, {shutdown, x}, normal], _ <- lists:seq(1, 200)],
    [io:format("~p x~p~n", [R, length([X || X <- Rs, X == R])]) || R <- lists:usort(Rs)],
    halt().
