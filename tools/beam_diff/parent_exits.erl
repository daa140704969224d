%% What a gen_server does when its parent (the process that start_linked it) exits with R:
%% trapping servers run terminate(R') and end, non-trapping ones die with R unless R is normal.
%% Also a trapping worker under a supervisor killed with exit(Sup, kill): terminate(killed).
%% erlc parent_exits.erl && erl -noshell -s parent_exits main
-module(parent_exits).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, start_child/1]).
init({Trap, Log}) -> process_flag(trap_exit, Trap), {ok, Log}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(M, Log) -> Log ! {info, M}, {noreply, Log}.
terminate(R, Log) -> Log ! {terminate, R}, ok.
start_child(Log) -> gen_server:start_link(?MODULE, {true, Log}, []).
collect() -> receive {info, M} -> [{info, M} | collect()]; {terminate, R} -> [{terminate, R} | collect()] after 50 -> [] end.
main() ->
    Me = self(),
    [begin
        Par = spawn(fun() -> {ok, S} = gen_server:start_link(?MODULE, {Trap, Me}, []), Me ! {srv, S}, receive go -> exit(R) end end),
        S = receive {srv, X} -> X end,
        M = monitor(process, S),
        Par ! go,
        Down = receive {'DOWN', M, _, _, W} -> W after 50 -> alive end,
        io:format("trap=~p parent exits ~p: server ~p, saw ~p~n", [Trap, R, Down, collect()]),
        catch exit(S, kill)
     end || Trap <- [true, false], R <- [normal, shutdown, boom, kill]],
    {ok, Sup} = supervisor:start_link(parent_exits_sup, Me),
    [{w, Wp, _, _}] = supervisor:which_children(Sup),
    MW = monitor(process, Wp),
    unlink(Sup), exit(Sup, kill),
    io:format("sup killed: worker ~p, saw ~p~n", [receive {'DOWN', MW, _, _, W2} -> W2 after 50 -> alive end, collect()]),
    halt().
