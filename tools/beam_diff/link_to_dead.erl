%% tests/kernel_signals_test.cpp (TrappingLinkToDeadPidFindsTheExitAtOnce) on the BEAM:
%% erlc link_to_dead.erl && erl -noshell -eval 'link_to_dead:main()' -s init stop
%% OTP 25 prints: 1000 of 1000 (trapping: the EXIT is in the mailbox at once), then the
%% non-trapping caller's {'EXIT',{noproc,...}} from inside link/1, and 0 of 1000 for a monitor's DOWN.
-module(link_to_dead).
-export([main/0]).
dead() -> D = spawn(fun() -> ok end), M = monitor(process, D), receive {'DOWN', M, _, _, _} -> D end.
main() ->
  process_flag(trap_exit, true),
  N = length([x || _ <- lists:seq(1, 1000),
                   begin D = dead(), link(D), receive {'EXIT', D, noproc} -> true after 0 -> false end end]),
  io:format("trapping link to dead, EXIT at once: ~p of 1000~n", [N]),
  process_flag(trap_exit, false),
  io:format("not trapping: ~p~n", [catch link(dead())]),
  M = length([x || _ <- lists:seq(1, 1000),
                   begin D = dead(), R = monitor(process, D), receive {'DOWN', R, _, _, noproc} -> true after 0 -> false end end]),
  io:format("monitor of dead, DOWN at once: ~p of 1000~n", [M]).
