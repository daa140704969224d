%% No pid (`undefined`, what whereis answers for a free name) to send, exit/2, link, unlink,
%% monitor and send_after. Run: erlc null_pid.erl && erl -noshell -s null_pid main
-module(null_pid).
-export([main/0]).
try_(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.
main() ->
  io:format("send ~p~n", [try_(fun() -> undefined ! hi end)]),
  io:format("exit ~p~n", [try_(fun() -> exit(undefined, kill) end)]),
  io:format("link ~p~n", [try_(fun() -> link(undefined) end)]),
  io:format("unlink ~p~n", [try_(fun() -> unlink(undefined) end)]),
  monitor(process, undefined),
  receive M -> io:format("monitor ~p~n", [M]) after 100 -> io:format("no DOWN~n") end,
  io:format("send_after ~p~n", [try_(fun() -> erlang:send_after(10, undefined, x) end)]),
  halt().
