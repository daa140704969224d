%% A supervisor shut down by its parent, children of every shutdown kind, on the BEAM (OTP 25):
%% gen_server workers trapping exits (terminate logs the reason, then sleeps), plain processes
%% that trap exits and exit normal, {shutdown,f} or (after 300 ms) done. Times in 50 ms steps.
%% erlc supervisor_shutdown_order.erl && erl -noshell -eval 'supervisor_shutdown_order:main()' -s init stop
%% otpsim printed the same log: g f e d c b a, one at a time; b and g killed at 100 ms; c
%% (brutal_kill) runs no terminate; every terminate sees shutdown (S12 S23).
-module(supervisor_shutdown_order).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, start_plain/2, plain/2]).
%% gen_server children: {Id, TermMs, Log}; trap exits; terminate logs reason, sleeps TermMs
init({sup, Kids}) -> {ok, {#{strategy => one_for_one, intensity => 5, period => 5}, Kids}};
init({w, Id, Ms, Log}) -> process_flag(trap_exit, true), Log ! {started, Id}, {ok, {Id, Ms, Log}}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
terminate(R, {Id, Ms, Log}) -> Log ! {terminate, Id, R, t()}, timer:sleep(Ms), Log ! {terminate_done, Id, t()}.
t() -> (erlang:monotonic_time(millisecond) - persistent_term:get(t0)) div 50 * 50.
%% a plain process that traps exits and, on the shutdown signal, exits with Reply after Ms
start_plain(Id, {Log, Ms, Reply}) -> {ok, spawn_link(fun() -> plain(Id, {Log, Ms, Reply}) end)}.
plain(Id, {Log, Ms, Reply}) ->
    process_flag(trap_exit, true),
    receive {'EXIT', _, R} -> Log ! {plain_got, Id, R, t()}, timer:sleep(Ms), exit(Reply) end.
flush() -> receive M -> [M | flush()] after 100 -> [] end.
w(Id, Ms, Shutdown, Log) -> #{id => Id, start => {gen_server, start_link, [?MODULE, {w, Id, Ms, Log}, []]}, shutdown => Shutdown}.
main() ->
    logger:set_primary_config(level, none),
    persistent_term:put(t0, erlang:monotonic_time(millisecond)),
    Log = self(),
    Kids = [w(a, 0, 5000, Log), w(b, 500, 100, Log), w(c, 0, brutal_kill, Log), w(d, 200, infinity, Log),
            #{id => e, start => {?MODULE, start_plain, [e, {Log, 0, normal}]}, shutdown => 100},
            #{id => f, start => {?MODULE, start_plain, [f, {Log, 0, {shutdown, f}}]}, restart => transient, shutdown => 100},
            #{id => g, start => {?MODULE, start_plain, [g, {Log, 300, done}]}, shutdown => 100}],
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, Kids}),
    io:format("started ~p~n", [flush()]),
    io:format("which ~p~n", [[{I, is_pid(P)} || {I, P, _, _} <- supervisor:which_children(Sup)]]),
    persistent_term:put(t0, erlang:monotonic_time(millisecond)),
    exit(Sup, shutdown),
    receive {'EXIT', Sup, R} -> io:format("sup exit ~p at ~p~n", [R, t()]) end,
    [io:format("  ~p~n", [M]) || M <- flush()],
    ok.
