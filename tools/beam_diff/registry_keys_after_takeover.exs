# Registry.keys of a dead holder whose unique key another process has taken over, while the
# registry's partition has not yet taken the holder's EXIT (suspended), and after.
# elixir registry_keys_after_takeover.exs
{:ok, _} = Registry.start_link(keys: :unique, name: Reg)
[{_, part, _, _}] = Supervisor.which_children(Reg)
parent = self()
for _ <- 1..5 do
  victim = spawn(fn -> {:ok, _} = Registry.register(Reg, :k, :v1); {:ok, _} = Registry.register(Reg, :other, :v2); send(parent, :registered); Process.sleep(:infinity) end)
  receive do :registered -> :ok end
  :ok = :sys.suspend(part)
  Process.exit(victim, :kill)
  Process.sleep(20)
  {:ok, _} = Registry.register(Reg, :k, :new)
  before = Registry.keys(Reg, victim)
  cnt = Registry.count(Reg)
  :ok = :sys.resume(part)
  Process.sleep(20)
  IO.inspect({before, cnt, Registry.keys(Reg, victim), Registry.count(Reg), Registry.keys(Reg, self())})
  Registry.unregister(Reg, :k)
end
