%% Restart intensity at whole-second boundaries on the BEAM (OTP 25): a one_for_one supervisor
%% whose only child is crashed at given ms after the start of a second of erlang:monotonic_time.
%% erlc intensity_boundaries.erl && erl -noshell -eval 'intensity_boundaries:main()' -s init stop
%% otpsim (virtual time starts at 0: seconds start at multiples of 1000 ms) gave the same eight
%% lines: restarts are stamped in whole seconds, a stamp equal to now - period is kept (S28).
-module(intensity_boundaries).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init({sup, I, P}) -> {ok, {#{strategy => one_for_one, intensity => I, period => P},
                           [#{id => c, start => {gen_server, start_link, [{local, c}, ?MODULE, w, []]}}]}};
init(w) -> {ok, w}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(crash, S) -> {stop, boom, S}.
%% Waits for the start of a second of erlang:monotonic_time, then crashes c at each offset (ms
%% after that start); prints whether the supervisor is still alive after the last.
run(I, P, Offsets) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, I, P}),
    Base = align(),
    lists:foreach(fun(Off) -> wait_until(Base + Off), gen_server:cast(c, crash), timer:sleep(5) end, Offsets),
    timer:sleep(20),
    Alive = is_process_alive(Sup),
    receive {'EXIT', Sup, R} -> ok after 0 -> R = none, unlink(Sup), exit(Sup, shutdown) end,
    io:format("intensity ~p period ~p crashes at ~p ms: alive ~p (exit ~p)~n", [I, P, Offsets, Alive, R]),
    timer:sleep(20).
now_ms() -> erlang:monotonic_time(millisecond).
align() ->
    Ms = now_ms(), Sec = floor_div(Ms, 1000), Next = (Sec + 1) * 1000,
    wait_until(Next), Next.
floor_div(A, B) when A >= 0 -> A div B;
floor_div(A, B) -> -((-A + B - 1) div B).
wait_until(T) -> case T - now_ms() of D when D > 0 -> timer:sleep(D), wait_until(T); _ -> ok end.
main() ->
    logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    run(1, 1, [100, 1900]),
    run(1, 1, [100, 2100]),
    run(1, 1, [900, 1100]),
    run(2, 1, [100, 1100, 2100]),
    run(2, 1, [100, 1100, 1900]),
    run(1, 2, [100, 2900]),
    run(1, 2, [900, 3100]),
    run(0, 1, [500]).
