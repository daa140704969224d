%% erlc selfexit.erl && erl -noshell -eval 'selfexit:main()' -s init stop
-module(selfexit).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).
init(Trap) -> process_flag(trap_exit, Trap), {ok, Trap}.
handle_call({self_exit, R}, _, S) -> exit(self(), R), {reply, still_here, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(M, S) -> main ! {info, strip(M)}, {noreply, S}.
terminate(R, _) -> main ! {terminate, strip(R)}.
flush() -> receive M -> [strip(M) | flush()] after 100 -> [] end.
strip(P) when is_pid(P) -> pid;
strip(P) when is_reference(P) -> ref;
strip(T) when is_tuple(T) -> list_to_tuple([strip(X) || X <- tuple_to_list(T)]);
strip(L) when is_list(L) -> [strip(X) || X <- L];
strip(X) -> X.
p(L, V) -> io:format("~s: ~0p~n", [L, strip(V)]).
short({'EXIT', {R, {gen_server, call, _}}}) -> {'EXIT', {R, call}};
short(X) -> X.
main() ->
    logger:set_primary_config(level, none),
    register(main, self()),
    process_flag(trap_exit, true),
    [begin
         {ok, P} = gen_server:start(?MODULE, Trap, []),
         R = catch gen_server:call(P, {self_exit, Reason}),
         timer:sleep(20),
         p(io_lib:format("trap=~p exit(self(), ~p): call", [Trap, Reason]), short(R)),
         p("   alive", is_process_alive(P)),
         p("   mailbox", flush())
     end || Trap <- [false, true], Reason <- [kill, foo, normal, shutdown]],
    %% plain process: catch around exit(self(), R)
    [begin
         Me = self(),
         {P, Ref} = spawn_monitor(fun() -> process_flag(trap_exit, Trap), X = (catch exit(self(), Reason)), Me ! {caught, X}, receive after 50 -> ok end, Me ! {after_, self()} end),
         timer:sleep(100),
         p(io_lib:format("plain trap=~p catch exit(self(), ~p)", [Trap, Reason]), flush()),
         _ = {P, Ref}
     end || Trap <- [false, true], Reason <- [kill, foo]],
    ok.
