# DynamicSupervisor, Task and Registry corner cases, one line each: exit(Sup, R) from a process
# that is not its parent; extra_arguments; which_children order (after a restart too); an
# async_nolink task that crashes (its DOWN, and await); Task.await's timeout exit; duplicate
# Registry lookup order, dispatch on an empty key, keys of a process with none. elixir corner_ex.exs
Process.flag(:trap_exit, true)
defmodule W do
  use GenServer
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)
  def start_link(extra, arg), do: GenServer.start_link(__MODULE__, {extra, arg})
  def init(a), do: {:ok, a}
  def handle_call(:arg, _f, s), do: {:reply, s, s}
end
flush = fn f -> receive do m -> [m | f.(f)] after 50 -> [] end end
# DynamicSupervisor: non-parent exit, which_children order
for r <- [:shutdown, :normal, {:shutdown, :x}, :boom] do
  {:ok, ds} = DynamicSupervisor.start_link(strategy: :one_for_one)
  {:ok, c} = DynamicSupervisor.start_child(ds, {W, 1})
  spawn(fn -> Process.exit(ds, r) end); Process.sleep(50)
  IO.puts("dyn nonparent #{inspect r}: alive=#{Process.alive?(ds)} child=#{Process.alive?(c)}")
  Process.unlink(ds); Process.exit(ds, :kill)
end
{:ok, ds} = DynamicSupervisor.start_link(strategy: :one_for_one, extra_arguments: [:x])
cs = for i <- 1..4, do: elem(DynamicSupervisor.start_child(ds, %{id: i, start: {W, :start_link, [i]}}), 1)
IO.puts("extra_arguments: #{inspect GenServer.call(hd(cs), :arg)}")
idx = fn l -> Enum.map(l, fn {_, p, _, _} -> Enum.find_index(cs, &(&1 == p)) end) end
IO.puts("dyn which order: #{inspect idx.(DynamicSupervisor.which_children(ds))}")
Process.exit(Enum.at(cs, 1), :kill); Process.sleep(50)
IO.puts("dyn which order after restart of 2nd: #{inspect idx.(DynamicSupervisor.which_children(ds))}")
# Task.Supervisor
{:ok, ts} = Task.Supervisor.start_link()
spawn(fn -> Process.exit(ts, :shutdown) end); Process.sleep(20)
IO.puts("tasksup nonparent shutdown: alive=#{Process.alive?(ts)}")
t = Task.Supervisor.async_nolink(ts, fn -> exit(:boom) end)
Process.sleep(50)
IO.puts("nolink crash mailbox: #{inspect(flush.(flush) |> Enum.map(fn {:DOWN, r, :process, p, why} -> {:DOWN, r == t.ref, p == t.pid, why}; m -> m end))}")
t = Task.Supervisor.async_nolink(ts, fn -> exit(:boom) end)
IO.puts("nolink crash await: #{inspect((try do Task.await(t) catch :exit, e -> {:exit, e} end))}")
t = Task.async(fn -> Process.sleep(200); :late end)
e = (try do Task.await(t, 50) catch :exit, e -> {:exit, e} end)
IO.puts("await timeout: #{inspect e}")
Process.sleep(300)
IO.puts("after await timeout mailbox: #{inspect flush.(flush)}")
# Registry
{:ok, _} = Registry.start_link(keys: :duplicate, name: D)
me = self()
p1 = spawn(fn -> Registry.register(D, :k, 1); send(me, :ok); Registry.register(D, :k, 3); send(me, :ok); Process.sleep(:infinity) end)
receive do :ok -> :ok end
p2 = spawn(fn -> Registry.register(D, :k, 2); send(me, :ok); Process.sleep(:infinity) end)
receive do :ok -> :ok end
receive do :ok -> :ok end
Registry.register(D, :k, 4)
IO.puts("dup lookup: #{inspect(Registry.lookup(D, :k) |> Enum.map(fn {p, v} -> {(p == p1 && :p1) || (p == p2 && :p2) || :me, v} end))}")
IO.puts("dup dispatch empty: #{inspect(Registry.dispatch(D, :none, fn _ -> send(me, :called) end))} #{inspect flush.(flush)}")
IO.puts("dup send: #{inspect(try do Registry.send({D, :k}, :hi) rescue e -> e end)}")
IO.puts("keys of p2: #{inspect Registry.keys(D, p2)}, keys of none: #{inspect Registry.keys(D, spawn(fn -> :ok end))}")
{:ok, _} = Registry.start_link(keys: :unique, name: U)
IO.puts("unique register: #{inspect Registry.register(U, :a, 1)} count=#{Registry.count(U)}")
IO.puts("unique lookup missing: #{inspect Registry.lookup(U, :zz)}")
