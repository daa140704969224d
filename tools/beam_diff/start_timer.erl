%% erlang:start_timer and erlang:read_timer: the message, the time left, false once gone.
%% erlc start_timer.erl && erl -noshell -s start_timer main -s init stop
-module(start_timer).
-export([main/0]).
main() ->
  T = erlang:start_timer(50, self(), hello),
  L1 = erlang:read_timer(T),
  timer:sleep(10),
  L2 = erlang:read_timer(T),
  R = receive {timeout, T, hello} = M -> M after 100 -> none end,
  L3 = erlang:read_timer(T),
  C3 = erlang:cancel_timer(T),
  P = spawn(fun() -> receive stop -> ok end end),
  T2 = erlang:start_timer(100, P, x),
  L4 = erlang:read_timer(T2),
  Ref = monitor(process, P), P ! stop, receive {'DOWN', Ref, _, _, _} -> ok end,
  L5 = erlang:read_timer(T2),
  T3 = erlang:start_timer(100, self(), y),
  C6 = erlang:cancel_timer(T3), L6 = erlang:read_timer(T3),
  register(nm, spawn(fun() -> receive MM -> io:format("nm got ~p~n", [MM]) end end)),
  T4 = erlang:start_timer(20, nm, z),
  L7 = erlang:read_timer(T4),
  timer:sleep(50),
  Bad = (catch erlang:start_timer(-1, self(), x)),
  Bad2 = (catch erlang:read_timer(make_ref())),
  T5 = erlang:start_timer(0, self(), zero), L8 = erlang:read_timer(T5),
  io:format("~p~n", [[{l1,L1},{l2,L2},{r,R=={timeout,T,hello}},{l3,L3},{c3,C3},{l4,L4},{l5,L5},{c6,C6},{l6,L6},{l7,L7},{bad,Bad},{bad2,Bad2},{l8,L8}]]),
  Rcv = receive {timeout, T5, zero} -> got after 0 -> none end,
  io:format("~p~n",[Rcv]).
