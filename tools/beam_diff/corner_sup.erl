%% Supervisor and gen_server corner cases, one line each: exit(Sup, R) from a process that is not
%% its parent; transient / permanent / temporary exits and what the child API then answers;
%% deferred and double replies; {stop, R, S} in a call; temporary children under rest_for_one
%% and one_for_all restarts; monitor of an unregistered name; send_after to a name nobody holds;
%% a link to a process exiting {shutdown, x}. erlc corner_sup.erl && erl -noshell -s corner_sup main
-module(corner_sup).
-behaviour(supervisor).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, start_worker/1, start_ignore/0]).

%% worker: gen_server with callbacks driven by messages
start_worker(Id) -> gen_server:start_link(?MODULE, {worker, Id}, []).
start_ignore() -> ignore_once.
init({worker, _Id}) -> {ok, #{}};
init({sup, Strategy, Children}) -> {ok, {#{strategy => Strategy, intensity => 10, period => 5}, Children}}.
handle_call({exit_with, R}, _From, S) -> {stop, R, S};
handle_call(defer, From, S) -> spawn(fun() -> timer:sleep(10), gen_server:reply(From, deferred) end), {noreply, S};
handle_call(double, From, S) -> gen_server:reply(From, first), {reply, second, S};
handle_call(ping, _From, S) -> {reply, pong, S}.
handle_cast({exit, R}, S) -> {stop, R, S}.
handle_info(_, S) -> {noreply, S}.

spec(Id, Restart) -> #{id => Id, start => {?MODULE, start_worker, [Id]}, restart => Restart}.

flush() -> receive M -> [M | flush()] after 50 -> [] end.
pids(Sup) -> [{Id, is_pid(P) orelse P} || {Id, P, _, _} <- supervisor:which_children(Sup)].
main() ->
    process_flag(trap_exit, true),
    %% 1. exit(Sup, R) from a process that is not the parent
    [begin
       {ok, Sup} = supervisor:start_link(?MODULE, {sup, one_for_one, [spec(a, permanent)]}),
       [{a, A, _, _}] = supervisor:which_children(Sup),
       spawn(fun() -> exit(Sup, R) end), timer:sleep(50),
       io:format("nonparent_exit ~p: sup_alive=~p child_same=~p~n", [R, is_process_alive(Sup), [{a, A, worker, [?MODULE]}] == supervisor:which_children(Sup)]),
       unlink(Sup), exit(Sup, kill), timer:sleep(10)
     end || R <- [shutdown, normal, {shutdown, x}, boom]],
    flush(),
    %% 2. transient exits {shutdown,x} / normal; permanent exits normal; temporary crash
    {ok, S2} = supervisor:start_link(?MODULE, {sup, one_for_one, [spec(t1, transient), spec(t2, transient), spec(p, permanent), spec(tmp, temporary)]}),
    Ch = fun(Id) -> hd([P || {I, P, _, _} <- supervisor:which_children(S2), I == Id]) end,
    P0 = Ch(p),
    gen_server:cast(Ch(t1), {exit, {shutdown, x}}),
    gen_server:cast(Ch(t2), {exit, normal}),
    gen_server:cast(Ch(p), {exit, normal}),
    gen_server:cast(Ch(tmp), {exit, boom}),
    timer:sleep(50),
    io:format("after exits: ~p perm_restarted=~p~n", [pids(S2), Ch(p) =/= P0 andalso is_pid(Ch(p))]),
    io:format("count: ~p~n", [supervisor:count_children(S2)]),
    io:format("restart t1: ~p~n", [element(1, supervisor:restart_child(S2, t1))]),
    io:format("delete t2: ~p, restart t2: ~p, start_child t2: ~p~n", [supervisor:delete_child(S2, t2), supervisor:restart_child(S2, t2), element(1, supervisor:start_child(S2, spec(t2, transient)))]),
    io:format("which order: ~p~n", [[I || {I, _, _, _} <- supervisor:which_children(S2)]]),
    %% 3. calls
    W = Ch(p),
    io:format("defer: ~p~n", [gen_server:call(W, defer)]),
    io:format("double: ~p~n", [gen_server:call(W, double)]),
    io:format("mailbox after double: ~p~n", [flush()]),
    [begin
        {ok, G} = gen_server:start(?MODULE, {worker, g}, []),
        io:format("call stop ~p: ~p~n", [R, catch gen_server:call(G, {exit_with, R})])
     end || R <- [normal, shutdown, {shutdown, x}]],
    %% 4. rest_for_one with a temporary later child
    {ok, S4} = supervisor:start_link(?MODULE, {sup, rest_for_one, [spec(a, permanent), spec(b, temporary), spec(c, transient)]}),
    [{c,_,_,_},{b,_,_,_},{A4,PA,_,_}] = supervisor:which_children(S4), A4 = a,
    exit(PA, boom), timer:sleep(50),
    io:format("rest_for_one after a crash: ~p~n", [pids(S4)]),
    {ok, S5} = supervisor:start_link(?MODULE, {sup, one_for_all, [spec(a, permanent), spec(b, temporary), spec(c, transient)]}),
    [_,_,{a,PA5,_,_}] = supervisor:which_children(S5),
    exit(PA5, boom), timer:sleep(50),
    io:format("one_for_all after a crash: ~p~n", [pids(S5)]),
    io:format("leftover: ~p~n", [[M || M <- flush(), element(1, M) =/= 'EXIT']]),
    %% 5. monitor by unregistered name; send_after to unregistered name; {shutdown,x} over a link
    R5 = monitor(process, nope),
    receive {'DOWN', R5, process, Obj, Why} -> io:format("monitor name: ~p ~p~n", [Obj, Why]) after 100 -> io:format("monitor name: none~n") end,
    erlang:send_after(5, nope2, hi), timer:sleep(20), io:format("send_after to nobody: alive~n"),
    Vic = spawn(fun() -> receive after infinity -> ok end end),
    MV = monitor(process, Vic),
    spawn(fun() -> link(Vic), exit({shutdown, x}) end),
    receive {'DOWN', MV, _, _, WV} -> io:format("linked to {shutdown,x}: ~p~n", [WV]) after 100 -> io:format("linked survives~n") end,
    halt().
