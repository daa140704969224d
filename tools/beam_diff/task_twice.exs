# Taking a task's result twice: yield then await, await then yield, await then await.
# elixir task_twice.exs
t = Task.async(fn -> 1 end)
IO.inspect(Task.yield(t, 100), label: "yield")
IO.inspect((try do Task.await(t, 100) catch :exit, e -> {:exit, elem(e, 0), elem(elem(e, 1), 1)} end), label: "then await")
t = Task.async(fn -> 2 end)
IO.inspect(Task.await(t, 100), label: "await")
IO.inspect(Task.yield(t, 100), label: "then yield")
IO.inspect((try do Task.await(t, 100) catch :exit, e -> {:exit, elem(e, 0), elem(elem(e, 1), 1)} end), label: "then await")
t = Task.async(fn -> 3 end)
IO.inspect(Task.await(t, 100), label: "await")
IO.inspect(Task.shutdown(t), label: "then shutdown")
IO.inspect(Task.yield(t, 10), label: "then yield")
t = Task.async(fn -> Process.sleep(50); 4 end)
IO.inspect(Task.yield(t, 10), label: "yield before the reply")
IO.inspect(Task.await(t, 100), label: "then await")
receive do m -> IO.inspect(m, label: "left") after 100 -> IO.puts("left: nothing") end
