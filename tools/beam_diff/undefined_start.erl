%% gen_server:start/start_link under {local, undefined} (OTP 25): the result, and what a trapping
%% start_link caller finds in its mailbox. Run: erlc undefined_start.erl && erl -noshell -s undefined_start main
-module(undefined_start).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(_) -> io:format("init ran~n"), {ok, s}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
main() ->
  io:format("start ~p~n", [gen_server:start({local, undefined}, ?MODULE, [], [])]),
  process_flag(trap_exit, true),
  io:format("start_link ~p~n", [gen_server:start_link({local, undefined}, ?MODULE, [], [])]),
  receive M -> io:format("mailbox ~p~n", [M]) after 100 -> io:format("mailbox empty~n") end,
  halt().
