# A GenServer named {:via, Registry, {R, :k}} whose init fails, on Elixir 1.14 / OTP 25 (the
# `failed-init-frees-name` probe of the contracts suite makes the same calls):
#   elixir via_name_freed.exs
# Prints 0 of 2000 for both counts and each way init fails: the Registry entry is gone before
# GenServer.start returns (gen:unregister_name, then the ack), and a start under the key succeeds.
defmodule S do
  use GenServer
  def init(:stop), do: {:stop, :no}
  def init(:ignore), do: :ignore
  def init(:crash), do: exit(:crashed)
  def init(:ok), do: {:ok, :s}
end
Logger.configure(level: :none)
{:ok, _} = Registry.start_link(keys: :unique, name: R)
for how <- [:stop, :ignore, :crash] do
  {seen, refused} =
    Enum.reduce(1..2000, {0, 0}, fn _, {seen, refused} ->
      _ = GenServer.start(S, how, name: {:via, Registry, {R, :k}})
      seen = if Registry.lookup(R, :k) == [] and Registry.count(R) == 0, do: seen, else: seen + 1
      case GenServer.start(S, :ok, name: {:via, Registry, {R, :k}}) do
        {:ok, p} -> GenServer.stop(p); {seen, refused}
        _ -> {seen, refused + 1}
      end
    end)
  IO.puts("init #{how} under a via name: the entry still listed right after #{seen} of 2000, a start under it refused #{refused} of 2000")
end
