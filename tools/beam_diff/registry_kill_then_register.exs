# A process kills a key's holder and at once registers the key itself, or asks whereis_name /
# lookup: 2,000 times each. elixir registry_kill_then_register.exs
{:ok, _} = Registry.start_link(keys: :unique, name: R)
me = self()
run = fn what ->
  h = spawn(fn -> Registry.register(R, :k, :old); send(me, :held); Process.sleep(:infinity) end)
  receive do :held -> :ok end
  Process.exit(h, :kill)
  r = case what do
    :register -> case Registry.register(R, :k, :new) do {:ok, _} -> :ok; {:error, {:already_registered, ^h}} -> :already_registered_by_dead end
    :whereis -> if Registry.whereis_name({R, :k}) == h, do: :dead_holder, else: :undefined
    :lookup -> case Registry.lookup(R, :k) do [{^h, _}] -> :dead_holder; [] -> :empty end
  end
  Registry.unregister(R, :k)
  Process.sleep(1)
  r
end
for what <- [:register, :whereis, :lookup] do
  IO.inspect({what, Enum.frequencies(for _ <- 1..2000, do: run.(what))})
end
