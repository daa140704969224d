# An async / async_nolink caller killed while its Task.Supervisor is suspended (its start_child
# call not yet answered), on Elixir 1.14 / OTP 25 (the `task-owner-dies-first` probe of the
# contracts suite does the same, keeping the supervisor busy in a slow start instead):
#   elixir task_owner_dies_first.exs
# Prints 0 children afterwards for both: the task, started after its owner died, monitors the
# owner while it waits for its go and exits {:shutdown, :noproc}. A caller killed after the start
# returned leaves an async_nolink task running and takes an async (linked) task down (:killed).
for how <- [:async_nolink, :async] do
  {:ok, ts} = Task.Supervisor.start_link()
  :sys.suspend(ts)
  owner = spawn(fn -> apply(Task.Supervisor, how, [ts, fn -> Process.sleep(100_000) end]) end)
  Process.sleep(20)
  Process.exit(owner, :kill)
  Process.sleep(20)
  :sys.resume(ts)
  Process.sleep(50)
  IO.puts("#{how}: caller killed before the start returned: children afterwards #{length(Task.Supervisor.children(ts))}")
  {:ok, ts2} = Task.Supervisor.start_link()
  me = self()
  owner2 = spawn(fn -> t = apply(Task.Supervisor, how, [ts2, fn -> Process.sleep(100_000) end]); send(me, {:t, t.pid}); Process.sleep(:infinity) end)
  tp = receive do {:t, p} -> p end
  m = Process.monitor(tp)
  Process.exit(owner2, :kill)
  r = receive do {:DOWN, ^m, _, _, r} -> r after 100 -> :still_running end
  IO.puts("#{how}: caller killed after the start returned: task #{inspect(r)}")
end
