# Task.shutdown(t, 0) of a running task, trapping or not, 200 times each. elixir task_shutdown_0.exs
for trap <- [false, true] do
  r = for _ <- 1..200 do
    t = Task.async(fn -> Process.flag(:trap_exit, trap); receive do :never -> :ok end end)
    Process.sleep(1)
    Task.shutdown(t, 0)
  end
  IO.inspect({trap, Enum.frequencies(r)})
end
