%% gen_server:call(Live, ping, 0) to an idle server, 10,000 times: how often the reply is taken.
%% erlc call_timeout_0.erl && erl -noshell -s call_timeout_0 main
-module(call_timeout_0).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(_) -> {ok, 0}.
handle_call(ping, _From, S) -> {reply, pong, S}.
handle_cast(_, S) -> {noreply, S}.
main() ->
    {ok, P} = gen_server:start(?MODULE, [], []),
    Rs = [catch gen_server:call(P, ping, 0) || _ <- lists:seq(1, 10000)],
    timer:sleep(10),
    Left = length(element(2, process_info(self(), messages))),
    io:format("pong ~p, timeout ~p, left in mailbox ~p~n", [length([R || R <- Rs, R == pong]), length([R || {'EXIT', {timeout, _}} = R <- Rs]), Left]),
    halt().
