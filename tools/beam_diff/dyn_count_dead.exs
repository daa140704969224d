# DynamicSupervisor.count_children counts a child that died (its EXIT not yet taken) as active,
# unlike supervisor:count_children. elixir dyn_count_dead.exs
defmodule W do
  use GenServer
  def start_link(a), do: GenServer.start_link(__MODULE__, a)
  def init(a), do: {:ok, a}
end
res = for _ <- 1..20 do
  {:ok, ds} = DynamicSupervisor.start_link(strategy: :one_for_one)
  {:ok, a} = DynamicSupervisor.start_child(ds, {W, 1})
  {:ok, _b} = DynamicSupervisor.start_child(ds, {W, 2})
  :sys.suspend(ds)
  me = self()
  spawn(fn -> send(me, {:count, DynamicSupervisor.count_children(ds)}) end)
  spawn(fn -> Process.sleep(2); send(me, {:which, DynamicSupervisor.which_children(ds)}) end)
  Process.sleep(10)
  Process.exit(a, :kill)
  Process.sleep(5)
  :sys.resume(ds)
  c = receive do {:count, c} -> c end
  w = receive do {:which, w} -> Enum.count(w, fn {_, p, _, _} -> p == a end) end
  Process.unlink(ds); Process.exit(ds, :kill)
  {c, w}
end
res |> Enum.frequencies() |> IO.inspect()
