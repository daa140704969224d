{:ok, sup} = Task.Supervisor.start_link()
{:ok, log} = Agent.start_link(fn -> [] end)
t1 = Task.Supervisor.async_nolink(sup, fn -> Process.sleep(200); Agent.update(log, &[:t1_done | &1]); :one end)
t2 = Task.Supervisor.async_nolink(sup, fn -> Process.sleep(20); raise "boom" end)
t3 = Task.Supervisor.async_nolink(sup, fn -> Process.sleep(200); Agent.update(log, &[:t3_done | &1]); :three end)
r = try do
  Task.await_many([t1, t2, t3], 5000)
catch
  :exit, {reason, {Task, :await_many, _}} -> {:caught_exit, elem(reason, 0), {Task, :await_many, :"..."}}
end
IO.inspect(r, label: "result")
IO.inspect({Process.alive?(t1.pid), Process.alive?(t3.pid)}, label: "t1,t3 alive right after catch")
IO.inspect(Process.info(self(), :messages), label: "mailbox right after catch")
Process.sleep(400)
IO.inspect(Agent.get(log, & &1) |> Enum.sort(), label: "t1/t3 completed their work")
IO.inspect({Process.alive?(t1.pid), Process.alive?(t3.pid)}, label: "t1,t3 alive after 400ms")
IO.inspect(Process.info(self(), :messages), label: "mailbox after t1/t3 finished")
