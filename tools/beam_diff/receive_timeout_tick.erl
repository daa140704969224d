%% A receive's timeout against a send_after to the same process, due in the same ms.
%%   erlc receive_timeout_tick.erl && erl -noshell -s receive_timeout_tick main
-module(receive_timeout_tick).
-export([main/0]).

%% send_after(D) to itself, then `receive m after D`
own(D) ->
  erlang:send_after(D, self(), m),
  R = receive m -> got after D -> timeout end,
  flush(), R.

%% another process arms send_after(D) to us first, then says go; we then `receive m after D`
other_first(D) ->
  Self = self(),
  spawn(fun() -> erlang:send_after(D, Self, m), Self ! go end),
  receive go -> ok end,
  R = receive m -> got after D -> timeout end,
  flush(), R.

%% we enter `receive m after D` first; another process arms send_after(D) to us meanwhile
other_after(D) ->
  Self = self(),
  spawn(fun() -> erlang:send_after(D, Self, m) end),
  R = receive m -> got after D -> timeout end,
  flush(), R.

%% send_after(D, t) to itself, sleep(D), then send itself y: which comes first?
sleep_then_send(D) ->
  erlang:send_after(D, self(), t),
  timer:sleep(D),
  self() ! y,
  R = receive X -> X end,
  flush(), R.

%% set in different ms: send_after(D + S), sleep(S), receive after D
different_ms(D, S) ->
  erlang:send_after(D + S, self(), m),
  timer:sleep(S),
  R = receive m -> got after D -> timeout end,
  flush(), R.

flush() -> receive _ -> flush() after 50 -> ok end.

tally(F, N) ->
  L = [F() || _ <- lists:seq(1, N)],
  lists:sort(maps:to_list(lists:foldl(fun(X, M) -> maps:update_with(X, fun(C) -> C + 1 end, 1, M) end, #{}, L))).

main() ->
  [io:format("own send_after ~p then receive after it: ~p~n", [D, tally(fun() -> own(D) end, 300)]) || D <- [1, 5, 10, 37]],
  [io:format("another's send_after ~p first: ~p~n", [D, tally(fun() -> other_first(D) end, 300)]) || D <- [1, 5, 10]],
  [io:format("another's send_after ~p after the receive began: ~p~n", [D, tally(fun() -> other_after(D) end, 200)]) || D <- [5, 10]],
  io:format("send_after 10, sleep 10, send y: ~p~n", [tally(fun() -> sleep_then_send(10) end, 200)]),
  [io:format("send_after ~p, sleep ~p, receive after ~p: ~p~n", [D + S, S, D, tally(fun() -> different_ms(D, S) end, 200)]) || {D, S} <- [{7, 3}, {5, 5}]],
  halt().
