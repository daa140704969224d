defmodule Flaky do
  # 1st start ok, next FAILS starts return {:error, :nope}, then ok again
  def start_link(fails) do
    c = :persistent_term.get(:cnt)
    n = :counters.get(c, 1); :counters.add(c, 1, 1)
    if n >= 1 and n <= fails do
      IO.puts("  Flaky start ##{n}: returning {:error, :nope}")
      {:error, :nope}
    else
      IO.puts("  Flaky start ##{n}: ok")
      {:ok, spawn_link(fn -> Process.sleep(:infinity) end)}
    end
  end
end
fails = String.to_integer(System.get_env("FAILS", "1"))
:persistent_term.put(:cnt, :counters.new(1, []))
Logger.configure(level: :none)
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_children: 1, max_restarts: 100, max_seconds: 1)
spec = %{id: Flaky, start: {Flaky, :start_link, [fails]}, restart: :permanent}
other = %{id: Other, start: {Agent, :start_link, [fn -> :other end]}, restart: :temporary}
{:ok, c1} = DynamicSupervisor.start_child(sup, spec)
IO.inspect(DynamicSupervisor.count_children(sup), label: "count before crash")
# Force window: suspend supervisor, kill child so EXIT queues, then queue our calls behind it.
:ok = :sys.suspend(sup)
Process.exit(c1, :kill)
wait = fn f, n -> if elem(Process.info(sup, :message_queue_len), 1) < n, do: (Process.sleep(5); f.(f, n)), else: :ok end
wait.(wait, 1)
me = self()
spawn(fn -> send(me, {:start_child, DynamicSupervisor.start_child(sup, other)}) end)
wait.(wait, 2)
spawn(fn -> send(me, {:count, DynamicSupervisor.count_children(sup)}) end)
wait.(wait, 3)
spawn(fn -> send(me, {:which, DynamicSupervisor.which_children(sup)}) end)
wait.(wait, 4)
IO.inspect(Process.info(sup, :messages), label: "sup queue before resume")
:ok = :sys.resume(sup)
receive do {:start_child, r} -> IO.inspect(r, label: "start_child(other) in retry window") end
receive do {:count, r} -> IO.inspect(r, label: "count_children in window") end
receive do {:which, r} -> IO.inspect(r, label: "which_children in window") end
Process.sleep(200)
IO.inspect(Process.alive?(sup), label: "sup alive after")
if Process.alive?(sup) do
  IO.inspect(DynamicSupervisor.count_children(sup), label: "count_children after retry")
  IO.inspect(DynamicSupervisor.which_children(sup), label: "which_children after retry")
  IO.inspect(DynamicSupervisor.start_child(sup, other), label: "start_child(other) after retry")
end
