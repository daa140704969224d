# DynamicSupervisor steps (elixir dynamic_supervisor.exs): max_children, ignore, errors, terminate_child, transient exits, intensity;
# tests/dynamic_supervisor_test.cpp expects the same results.
Logger.configure(level: :none)
defmodule W do
  use GenServer, restart: :permanent
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)
  def init(:ignore), do: :ignore
  def init(:fail), do: {:stop, :no_user}
  def init(x), do: {:ok, x}
  def handle_cast({:crash, r}, s), do: {:stop, r, s}
end
Process.flag(:trap_exit, true)
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_children: 2)
{:ok, a} = DynamicSupervisor.start_child(sup, {W, :a})
IO.inspect(DynamicSupervisor.start_child(sup, {W, :ignore}), label: "1 ignore")
IO.inspect(DynamicSupervisor.start_child(sup, {W, :fail}), label: "2 fail")
{:ok, _b} = DynamicSupervisor.start_child(sup, {W, :b})
IO.inspect(DynamicSupervisor.start_child(sup, {W, :c}), label: "3 max")
IO.inspect(DynamicSupervisor.count_children(sup), label: "4 count")
IO.inspect(DynamicSupervisor.terminate_child(sup, a), label: "5 terminate a")
IO.inspect(DynamicSupervisor.terminate_child(sup, a), label: "6 terminate a again")
IO.inspect(DynamicSupervisor.terminate_child(sup, self()), label: "7 terminate non-child")
t = DynamicSupervisor.start_child(sup, Supervisor.child_spec({W, :t}, restart: :transient)) |> elem(1)
GenServer.cast(t, {:crash, :normal}); Process.sleep(20)
IO.inspect(length(DynamicSupervisor.which_children(sup)), label: "8 children after transient normal")
t2 = DynamicSupervisor.start_child(sup, Supervisor.child_spec({W, :t2}, restart: :transient)) |> elem(1)
GenServer.cast(t2, {:crash, {:shutdown, :x}}); Process.sleep(20)
IO.inspect(length(DynamicSupervisor.which_children(sup)), label: "9 children after transient {shutdown,x}")
[{_, p, _, _}] = DynamicSupervisor.which_children(sup)
GenServer.cast(p, {:crash, :boom}); Process.sleep(20)
[{id, p2, type, mods}] = DynamicSupervisor.which_children(sup)
IO.inspect({id, p2 != p, type, mods}, label: "10 restarted permanent")
for _ <- 1..3 do [{_, q, _, _}] = DynamicSupervisor.which_children(sup); GenServer.cast(q, {:crash, :boom}); Process.sleep(5) end
receive do {:EXIT, ^sup, r} -> IO.inspect(r, label: "11 sup exit") after 200 -> IO.puts("11 sup alive") end
