-module(auto_shutdown_restarting).
-behaviour(supervisor).
-export([init/1, main/0, control/0]).
init({AS, Children, AFails}) ->
    Specs = [#{id => N, start => {auto_shutdown_child, start_link, [N, case N of a -> AFails; _ -> 0 end]},
               restart => transient, significant => true} || N <- Children],
    {ok, {#{strategy => one_for_one, intensity => 100, period => 1, auto_shutdown => AS}, Specs}}.

wait_q(Sup, N) ->
    case process_info(Sup, message_queue_len) of {_, L} when L >= N -> ok; _ -> timer:sleep(5), wait_q(Sup, N) end.
pid_of(Sup, Id) -> {Id, P, _, _} = lists:keyfind(Id, 1, supervisor:which_children(Sup)), P.

run(Label, AS, Children, AFails) ->
    io:format("=== ~s (auto_shutdown=~p, children=~p, A restart fails ~p times)~n", [Label, AS, Children, AFails]),
    [persistent_term:put({cnt, N}, counters:new(1, [])) || N <- [a, b]],
    Me = self(),
    Owner = spawn(fun() ->
        process_flag(trap_exit, true),
        {ok, Sup} = supervisor:start_link(?MODULE, {AS, Children, AFails}),
        Me ! {sup, Sup},
        receive {'EXIT', Sup, R} -> Me ! {sup_exit, R} end end),
    Sup = receive {sup, S} -> S end,
    MonRef = monitor(process, Sup),
    A = pid_of(Sup, a),
    B = case lists:member(b, Children) of true -> pid_of(Sup, b); false -> none end,
    ok = sys:suspend(Sup),
    exit(A, crash),                                   %% abnormal exit of A -> queued
    wait_q(Sup, 1),
    Q = case lists:member(b, Children) of
        true ->
            ok = gen_server:call(B, stop_normal),      %% B exits normally -> EXIT queued after A's
            wait_q(Sup, 2), 2;
        false -> 1
    end,
    spawn(fun() -> Me ! {which, catch supervisor:which_children(Sup)} end),
    wait_q(Sup, Q + 1),
    {messages, Ms} = process_info(Sup, messages),
    io:format("sup queue before resume: ~p~n", [[element(1, M) || M <- Ms]]),
    ok = sys:resume(Sup),
    receive {which, W} -> io:format("which_children (queued right after the EXITs, i.e. A in restarting window): ~p~n", [W])
    after 2000 -> io:format("which_children: no reply~n") end,
    receive {'DOWN', MonRef, _, _, R} -> io:format("supervisor went DOWN: ~p~n", [R])
    after 300 -> io:format("supervisor still up after 300ms; which_children=~p~n", [supervisor:which_children(Sup)]),
                 unlink(Sup), exit(Sup, kill), exit(Owner, kill)
    end,
    receive {sup_exit, R2} -> io:format("supervisor exit reason (via link): ~p~n", [R2]) after 0 -> ok end.


main() ->
    logger:set_primary_config(level, none),
    run("case4a", all_significant, [a, b], 1),
    run("case4a'", all_significant, [a, b], 1000),
    run("case4b", any_significant, [a], 1),
    run("case4b'", any_significant, [a], 1000),
    halt().

control() ->
    logger:set_primary_config(level, none),
    [persistent_term:put({cnt, N}, counters:new(1, [])) || N <- [a, b]],
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link(?MODULE, {all_significant, [a, b], 0}),
    ok = gen_server:call(pid_of(Sup, a), stop_normal),
    timer:sleep(50),
    io:format("control: after A normal exit, sup alive=~p children=~p~n", [is_process_alive(Sup), supervisor:which_children(Sup)]),
    ok = gen_server:call(pid_of(Sup, b), stop_normal),
    receive {'EXIT', Sup, R} -> io:format("control: after B normal exit too, sup exit reason=~p~n", [R]) after 500 -> io:format("control: sup still up~n") end,
    halt().
