defmodule M do
  use GenServer
  def init(a), do: {:ok, a}
end
{:ok, _} = Registry.start_link(keys: :unique, name: Reg)
IO.inspect(Supervisor.which_children(Reg), label: "reg children")
IO.inspect(Process.whereis(Reg), label: "whereis Reg")
[{_, part, _, _}] = Supervisor.which_children(Reg)
IO.inspect(Process.info(part, :registered_name), label: "partition name")
parent = self()
victim = spawn(fn -> {:ok, _} = Registry.register(Reg, :k, :v1); send(parent, :registered); Process.sleep(:infinity) end)
receive do :registered -> :ok end
IO.inspect(Registry.lookup(Reg, :k), label: "before kill lookup")
:ok = :sys.suspend(part)
Process.exit(victim, :kill)
Process.sleep(50)
IO.inspect(Process.alive?(victim), label: "victim alive?")
IO.inspect(Process.info(part, :message_queue_len), label: "partition mq (suspended)")
IO.inspect(Registry.lookup(Reg, :k), label: "lookup")
IO.inspect(Registry.whereis_name({Reg, :k}), label: "whereis_name")
IO.inspect(Registry.keys(Reg, victim), label: "keys(dead)")
IO.inspect(Registry.count(Reg), label: "count")
res = GenServer.start(M, [], name: {:via, Registry, {Reg, :k}})
IO.inspect(res, label: "GenServer.start via")
IO.inspect(Registry.lookup(Reg, :k), label: "lookup after start")
IO.inspect(Registry.count(Reg), label: "count after start")
# a second key, test register from new process
v2 = spawn(fn -> {:ok, _} = Registry.register(Reg, :k2, :x); send(parent, :r2); Process.sleep(:infinity) end)
receive do :r2 -> :ok end
:ok = :sys.resume(part); :ok = :sys.suspend(part)
Process.exit(v2, :kill); Process.sleep(50)
t = self()
spawn(fn -> send(t, {:reg, Registry.register(Reg, :k2, :new), self()}); Process.sleep(500) end)
receive do {:reg, r, p} -> IO.inspect({r, p}, label: "Registry.register from new proc (k2 dead owner)") end
IO.inspect(Registry.lookup(Reg, :k2), label: "lookup k2")
IO.inspect(Registry.count(Reg), label: "count (suspended)")
:ok = :sys.resume(part)
Process.sleep(100)
IO.inspect(Registry.lookup(Reg, :k), label: "after resume lookup k")
IO.inspect(Registry.lookup(Reg, :k2), label: "after resume lookup k2")
IO.inspect(Registry.count(Reg), label: "after resume count")
