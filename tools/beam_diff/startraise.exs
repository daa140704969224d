# elixir startraise.exs -- a child's start function itself raises (not its init)
defmodule W do
  use GenServer
  def init(x), do: {:ok, x}
  def start_link(:ok), do: GenServer.start_link(__MODULE__, :ok)
  def start_link(:exit), do: exit(:bad)
  def start_link(:raise), do: raise(ArgumentError, "bad")
  def start_link(:other), do: :not_a_start_result
  def start_link(_extra, m), do: start_link(m)
end
defmodule T do
  def strip(p) when is_pid(p), do: :pid
  def strip(%ArgumentError{}), do: :argument_error
  def strip([{m, f, a, l} | _]) when is_atom(m) and is_atom(f) and (is_integer(a) or is_list(a)) and is_list(l), do: :stack
  def strip(t) when is_tuple(t), do: t |> Tuple.to_list() |> Enum.map(&strip/1) |> List.to_tuple()
  def strip(l) when is_list(l), do: Enum.map(l, &strip/1)
  def strip(x), do: x
  def p(l, v), do: IO.puts("#{l}: #{:io_lib.format(~c"~0p", [strip(v)])}")
  def short({:error, {r, c}}) when is_tuple(c) and elem(c, 0) == :child, do: {:error, {r, :child_record}}
  def short(x), do: x
  def flush(acc \\ []) do
    receive do m -> flush([strip(m) | acc]) after 100 -> Enum.reverse(acc) end
  end
  def main do
    Logger.configure(level: :none)
    Process.flag(:trap_exit, true)
    for m <- [:exit, :raise, :other] do
      p("SR1 Supervisor.start_link, start #{m}", :supervisor.start_link(Sup, [%{id: :a, start: {W, :start_link, [:ok]}}, %{id: :b, start: {W, :start_link, [m]}}]))
      p("   mailbox", flush())
    end
    {:ok, s} = :supervisor.start_link(Sup, [])
    for m <- [:exit, :raise, :other] do
      p("SR2 start_child, start #{m}", short(:supervisor.start_child(s, %{id: m, start: {W, :start_link, [m]}})))
    end
    {:ok, ds} = DynamicSupervisor.start_link(strategy: :one_for_one)
    for m <- [:exit, :raise, :other] do
      p("SR3 DynamicSupervisor.start_child, start #{m}", DynamicSupervisor.start_child(ds, %{id: m, start: {W, :start_link, [m]}}))
    end
    p("SR3 mailbox", flush())
  end
end
defmodule Sup do
  def init(kids), do: {:ok, {%{strategy: :one_for_one}, kids}}
end
T.main()
