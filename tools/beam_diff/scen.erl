%% Runs one scenario (written by beam_diff.py as an Erlang term file) on the real BEAM and
%% prints what otpsim's [[expect]] entries can check: each worker's successful inits, each
%% child's liveness at run_ms, and the root supervisor's exit (or start error) reason.
%% Usage: erl -noshell -pa DIR -eval 'scen:main("file.term")' -s init stop
-module(scen).
-export([main/1, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

main(File) ->
    logger:set_primary_config(level, none),
    {ok, [{scenario, RunMs, Flags, Children, Faults}]} = file:consult(File),
    ets:new(scen, [named_table, public]),
    [put_queues(C) || C <- flatten(Children)],
    Self = self(),
    spawn(fun() -> run(Self, RunMs, Flags, Children, Faults) end),
    receive {result, Lines} -> [io:format("~s~n", [L]) || L <- Lines] end.

flatten(Children) ->
    lists:flatmap(fun(C = #{children := Kids}) -> [C | flatten(Kids)]; (C) -> [C] end, Children).

put_queues(#{path := P} = C) ->
    ets:insert(scen, {{init_fail, P}, maps:get(init_fail, C, [])}),
    ets:insert(scen, {{restart_fail, P}, maps:get(restart_fail, C, [])}),
    ets:insert(scen, {{starts, P}, 0}).

run(Parent, RunMs, Flags, Children, Faults) ->
    process_flag(trap_exit, true),
    T0 = erlang:monotonic_time(millisecond),
    Root = case supervisor:start_link(?MODULE, {sup, Flags, Children}) of
               {ok, Pid} -> Pid;
               {error, R} -> {start_error, R}
           end,
    [fault(T0, Root, F) || F <- Faults],
    sleep_until(T0, RunMs),
    RootLine = case Root of
                   {start_error, Why} -> "root_exit " ++ fmt(Why);
                   _ -> receive {'EXIT', Root, Why} -> "root_exit " ++ fmt(Why)
                        after 0 -> "root_alive" end
               end,
    Lines = lists:flatmap(fun(#{path := P} = C) ->
                                  Alive = resolve(Root, string:split(P, "/", all)) =/= none,
                                  Starts = case maps:get(type, C) of
                                               worker -> ["starts " ++ P ++ " " ++ integer_to_list(ets:lookup_element(scen, {starts, P}, 2))];
                                               supervisor -> []
                                           end,
                                  Starts ++ ["alive " ++ P ++ " " ++ atom_to_list(Alive)]
                          end, flatten(Children)),
    Parent ! {result, [RootLine | Lines]}.

sleep_until(T0, Ms) ->
    Left = T0 + Ms - erlang:monotonic_time(millisecond),
    if Left > 0 -> timer:sleep(Left); true -> ok end.

fault(T0, Root, {At, Path, Action, Reason}) ->
    sleep_until(T0, At),
    case resolve(Root, string:split(Path, "/", all)) of
        none -> ok;
        Pid -> case Action of
                   crash -> gen_server:cast(Pid, {crash, Reason});
                   exit -> exit(Pid, Reason);
                   kill -> exit(Pid, kill)
               end
    end.

resolve(Pid, []) when is_pid(Pid) -> Pid;
resolve(Sup, [Id | Rest]) when is_pid(Sup) ->
    case catch supervisor:which_children(Sup) of
        Kids when is_list(Kids) ->
            case [P || {I, P, _, _} <- Kids, fmt(I) =:= Id, is_pid(P)] of
                [P] -> resolve(P, Rest);
                [] -> none
            end;
        _ -> none
    end;
resolve(_, _) -> none.

fmt(T) -> lists:flatten(io_lib:format("~0p", [T])).

%% --- the supervisors
init({sup, Flags, Children}) ->
    {ok, {Flags, [spec(C) || C <- Children]}};
%% --- the workers: the scenario's queued init outcomes, then ok
init({worker, #{path := P} = C}) ->
    Starts = ets:lookup_element(scen, {starts, P}, 2),
    RF = ets:lookup_element(scen, {restart_fail, P}, 2),
    Q = if Starts == 0 orelse RF == [] -> init_fail; true -> restart_fail end,
    case ets:lookup_element(scen, {Q, P}, 2) of
        [R | Rest] ->
            ets:insert(scen, {{Q, P}, Rest}),
            case R of ignore -> ignore; _ -> {stop, R} end;
        [] ->
            case maps:get(trap_exit, C, false) of true -> process_flag(trap_exit, true); false -> ok end,
            ets:update_counter(scen, {starts, P}, 1),
            {ok, C}
    end.

spec(#{id := Id, type := worker} = C) ->
    common(C, #{id => Id, start => {gen_server, start_link, [?MODULE, {worker, C}, []]}, type => worker});
spec(#{id := Id, type := supervisor, flags := F, children := Kids} = C) ->
    common(C, #{id => Id, start => {supervisor, start_link, [?MODULE, {sup, F, Kids}]}, type => supervisor}).

common(C, S) ->
    S1 = S#{restart => maps:get(restart, C, permanent), significant => maps:get(significant, C, false)},
    case maps:find(shutdown, C) of {ok, Sh} -> S1#{shutdown => Sh}; error -> S1 end.

handle_call(_, _, S) -> {reply, ok, S}.
handle_cast({crash, R}, S) -> {stop, R, S};
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
terminate(_, S) -> timer:sleep(maps:get(stop_delay, S, 0)).
