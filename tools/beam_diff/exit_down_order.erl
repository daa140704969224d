%% A trapping process linked to and monitoring P; P exits. The order of the EXIT and the DOWN
%% in its mailbox. erlc exit_down_order.erl && erl -noshell -s exit_down_order main
-module(exit_down_order).
-export([main/0]).
run(How) ->
    P = spawn(fun() -> receive go -> exit(boom) end end),
    link(P), M = monitor(process, P),
    case How of msg -> P ! go; kill -> exit(P, kill); exit_boom -> exit(P, boom) end,
    timer:sleep(2),
    {messages, Ms} = process_info(self(), messages),
    receive {'DOWN', M, _, _, _} -> ok end, receive {'EXIT', P, _} -> ok end,
    {How, [element(1, X) || X <- Ms]}.
main() ->
    process_flag(trap_exit, true),
    Rs = [run(H) || H <- [msg, kill, exit_boom], _ <- lists:seq(1, 1000)],
    [io:format("~p x~p~n", [R, length([X || X <- Rs, X == R])]) || R <- lists:usort(Rs)],
    halt().
