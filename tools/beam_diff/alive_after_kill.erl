%% is_process_alive(P) right after exit(P, kill) / exit(P, boom) (P not trapping) / P ! stop,
%% 10,000 times each. erlc alive_after_kill.erl && erl -noshell -s alive_after_kill main
-module(alive_after_kill).
-export([main/0]).
run(How) ->
    P = spawn(fun() -> receive stop -> ok end end),
    case How of kill -> exit(P, kill); boom -> exit(P, boom); stop -> P ! stop; trapped_boom -> ok end,
    is_process_alive(P).
main() ->
    [begin
        Rs = [run(H) || _ <- lists:seq(1, 10000)],
        io:format("~p: alive ~p, dead ~p~n", [H, length([x || true <- Rs]), length([x || false <- Rs])])
     end || H <- [kill, boom, stop]],
    halt().
