%% Replies returned outside a call: handle_cast / handle_info / handle_continue returning
%% {reply, R, S} or {stop, Why, R, S}. erlc bad_returns.erl && erl -noshell -s bad_returns main
-module(bad_returns).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, handle_continue/2, terminate/2]).
init(Log) -> {ok, Log}.
handle_call({cont, Ret}, _From, S) -> {reply, ok, S, {continue, Ret}}.
handle_cast(Ret, _S) -> Ret.
handle_info(Ret, _S) -> Ret.
handle_continue(Ret, _S) -> Ret.
terminate(R, Log) -> Log ! {terminate, R}.
main() ->
    [begin
        {ok, P} = gen_server:start(?MODULE, self(), []),
        M = monitor(process, P),
        Ret = case Kind of reply -> {reply, hi, self()}; stop -> {stop, why, hi, self()} end,
        case Via of cast -> gen_server:cast(P, Ret); info -> P ! Ret; continue -> gen_server:call(P, {cont, Ret}) end,
        T = receive {terminate, R} -> R after 100 -> none end,
        D = receive {'DOWN', M, _, _, W} -> W after 100 -> alive end,
        io:format("~p ~p: terminate ~p, exit ~p~n", [Via, Kind, T, D])
     end || Via <- [cast, info, continue], Kind <- [reply, stop]],
    halt().
