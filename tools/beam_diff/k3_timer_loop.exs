me = self()
flush = fn f, acc -> receive do m -> f.(f, [m | acc]) after 30 -> Enum.reverse(acc) end end
r4 = for _ <- 1..200 do
  Process.send_after(me, :a, 10); Process.send_after(me, :b, 10); Process.send_after(me, :c, 10)
  Process.sleep(30); flush.(flush, [])
end |> Enum.frequencies()
IO.inspect(r4, label: "M4")
r18 = for _ <- 1..200 do
  Process.send_after(me, :timer10, 10); Process.sleep(10); send(me, :after_sleep); flush.(flush, [])
end |> Enum.frequencies()
IO.inspect(r18, label: "M18")
r19 = for _ <- 1..200 do
  receive do after 10 -> :ok end
  Process.send_after(me, :t, 5); receive do :never -> 1 after 5 -> send(me, :after5) end; flush.(flush, [])
end |> Enum.frequencies()
IO.inspect(r19, label: "M19 send_after 5 then receive after 5")
