%% erlang:send_after(T, RegName, Msg): the name is looked up when the timer fires.
%% erlc send_after_name.erl && erl -noshell -s send_after_name main
-module(send_after_name).
-export([main/0]).
-define(N, 200).

%% A process that tells Parent what it got within W ms.
catcher(Parent, W) ->
    spawn(fun() -> receive M -> Parent ! {self(), got, M} after W -> Parent ! {self(), nothing} end end).

count(F) -> length([ok || _ <- lists:seq(1, ?N), F()]).
report(What, F) -> io:format("~s: ~p of ~p~n", [What, count(F), ?N]).

main() ->
    report("registered at arm and fire: the holder gets it", fun() ->
        P = catcher(self(), 200), register(sa_a, P),
        _ = erlang:send_after(10, sa_a, hello),
        receive {P, got, hello} -> true; {P, nothing} -> false end end),
    report("nobody registered at arm: send_after returns a ref, no error; nothing arrives", fun() ->
        T = erlang:send_after(5, sa_nobody, hello),
        Me = self(),
        timer:sleep(15),
        is_reference(T) andalso is_process_alive(Me)
            andalso receive _ -> false after 0 -> true end end),
    report("holder unregistered before fire: dropped, sender fine", fun() ->
        P = catcher(self(), 50), register(sa_b, P),
        _ = erlang:send_after(10, sa_b, hello),
        unregister(sa_b),
        receive {P, got, _} -> false; {P, nothing} -> true end end),
    report("name re-registered to P2 between arm and fire: P2 gets it, P1 not", fun() ->
        P1 = catcher(self(), 50), register(sa_c, P1),
        _ = erlang:send_after(10, sa_c, hello),
        unregister(sa_c),
        P2 = catcher(self(), 50), register(sa_c, P2),
        A = receive {P1, nothing} -> true; {P1, got, _} -> false end,
        B = receive {P2, got, hello} -> true; {P2, nothing} -> false end,
        A andalso B end),
    report("holder at arm dies, name taken by P2 before fire: P2 gets it", fun() ->
        P1 = spawn(fun() -> receive stop -> ok end end), register(sa_d, P1),
        _ = erlang:send_after(20, sa_d, hello),
        M = monitor(process, P1), P1 ! stop, receive {'DOWN', M, _, _, _} -> ok end,
        P2 = catcher(self(), 100), register(sa_d, P2),
        receive {P2, got, hello} -> true; {P2, nothing} -> false end end),
    report("cancel_timer of a name timer (nobody registered) returns ms left, nothing sent", fun() ->
        T = erlang:send_after(100, sa_nobody2, hello),
        L = erlang:cancel_timer(T),
        is_integer(L) andalso L > 0 andalso L =< 100 end),
    report("cancel_timer of a name timer: holder gets nothing", fun() ->
        P = catcher(self(), 40), register(sa_e, P),
        T = erlang:send_after(10, sa_e, hello),
        L = erlang:cancel_timer(T),
        is_integer(L) andalso receive {P, nothing} -> true; {P, got, _} -> false end end),
    report("cancel_timer after it fired: false", fun() ->
        P = catcher(self(), 100), register(sa_f, P),
        T = erlang:send_after(5, sa_f, hello),
        receive {P, got, hello} -> ok end,
        erlang:cancel_timer(T) =:= false end),
    report("name timer to the sender's own name, sender unregisters: dropped", fun() ->
        register(sa_self, self()),
        _ = erlang:send_after(5, sa_self, hello),
        unregister(sa_self),
        receive hello -> false after 20 -> true end end),
    io:format("send_after(10, \"str\", x): ~p~n", [catch erlang:send_after(10, "str", x)]),
    halt().
