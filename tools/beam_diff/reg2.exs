# elixir reg2.exs -- Registry corners (round 2)
defmodule T do
  def strip(p) when is_pid(p), do: :pid
  def strip(p) when is_reference(p), do: :ref
  def strip(t) when is_tuple(t), do: t |> Tuple.to_list() |> Enum.map(&strip/1) |> List.to_tuple()
  def strip(l) when is_list(l), do: Enum.map(l, &strip/1)
  def strip(x), do: x
  def flush(acc \\ []) do
    receive do
      m -> flush([strip(m) | acc])
    after 100 -> Enum.reverse(acc)
    end
  end
  def p(l, v), do: IO.puts("#{l}: #{:io_lib.format(~c"~0p", [strip(v)])}")
  def catching(f) do
    try do f.() catch :exit, r -> {:EXIT, r}; :error, :badarg -> {:raised, :badarg}; :error, %ArgumentError{} -> {:raised, :argument_error} end
  end
  # a process that registers key with value v in reg, acks, then waits for :die
  def holder(reg, key, v) do
    me = self()
    pid = spawn(fn -> r = Registry.register(reg, key, v); send(me, {:reg, r}); receive do :die -> exit(:died) end end)
    receive do {:reg, _} -> :ok end
    pid
  end
  def main do
    Logger.configure(level: :none)
    me = self()
    {:ok, _} = Registry.start_link(keys: :duplicate, name: D)
    {:ok, _} = Registry.start_link(keys: :unique, name: U)
    _a = holder(D, :topic, :a); b = holder(D, :topic, :b); _c = holder(D, :topic, :c)
    Registry.register(D, :topic, :main)
    p("R1 dup lookup order", Registry.lookup(D, :topic) |> Enum.map(&elem(&1, 1)))
    Registry.dispatch(D, :topic, fn es -> send(me, {:dispatch, Enum.map(es, &elem(&1, 1))}) end)
    p("R1 dispatch order", flush())
    send(b, :die); Process.sleep(20)
    p("R4 lookup after b died", Registry.lookup(D, :topic) |> Enum.map(&elem(&1, 1)))
    Registry.dispatch(D, :topic, fn es -> send(me, {:dispatch, Enum.map(es, &elem(&1, 1))}) end)
    p("R4 dispatch after b died", flush())
    p("R5 count dup", Registry.count(D))
    p("R7 keys of dead b", Registry.keys(D, b))
    Registry.register(U, :kb, 1); Registry.register(U, :ka, 2); Registry.register(U, :kc, 3)
    p("R2 keys order unique", Registry.keys(U, me))
    Registry.register(D, :z2, 1); Registry.register(D, :a1, 1)
    p("R2 keys order duplicate", Registry.keys(D, me))
    p("R3 send to missing key", catching(fn -> Registry.send({U, :missing}, :hello) end))
    p("R3 send to held key", Registry.send({U, :ka}, :hello))
    p("R3 mailbox", flush())
    p("R3 send via unknown registry", catching(fn -> Registry.send({:nope, :k}, :hello) end))
    Registry.unregister(U, :ka)
    h = holder(U, :ka, :other)
    p("R6 lookup after re-register by other", Registry.lookup(U, :ka) |> Enum.map(fn {pid, v} -> {pid == h, v} end))
    send(h, :die); Process.sleep(20)
    p("R6 lookup after holder died", Registry.lookup(U, :ka))
    p("R6 register after holder died", Registry.register(U, :ka, :mine) |> (fn {:ok, _} -> :ok; x -> x end).())
    p("R8 count unique", Registry.count(U))
    p("R9 whereis_name missing", Registry.whereis_name({U, :zz}))
  end
end
T.main()
