%% tests/gen_server_test.cpp (ReplyFromCastOrInfoIsBadReturnValueAsInOtp) on the BEAM:
%% erlc reply_outside_call.erl && erl -noshell -eval 'reply_outside_call:main()' -s init stop
%% OTP 25 prints: terminate/EXIT {bad_return_value,{stop,bye,oops,st}}, then {bad_return_value,{reply,oops,st}}
-module(reply_outside_call).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, main/0]).
init(S) -> {ok, S}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(x, S) -> {stop, bye, oops, S}.
handle_info(_, S) -> {reply, oops, S}.
terminate(R, _) -> io:format("terminate ~p~n", [R]).
main() ->
  process_flag(trap_exit, true),
  {ok, P} = gen_server:start_link(?MODULE, st, []), gen_server:cast(P, x),
  receive {'EXIT', P, R} -> io:format("cast {stop,R,Reply,S}: ~p~n", [R]) end,
  {ok, P2} = gen_server:start_link(?MODULE, st, []), P2 ! y,
  receive {'EXIT', P2, R2} -> io:format("info {reply,V,S}: ~p~n", [R2]) end.
