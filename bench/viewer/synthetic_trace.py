#!/usr/bin/env python3
"""Writes a JSON-lines trace of STEPS steps in the simulator's format (default 100,000): a
supervisor of 50 workers, a driver casting work to every seventh and reading replies, and a
worker crashing and being restarted every 10 virtual ms. Used to measure the HTML viewer on a
long trace (bench/viewer/page_load.sh)."""
import json
import sys

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.stdout
step = 0
t = 0


def emit(ev, **fields):
    global step
    d = {"t": t, "step": step, "ev": ev}
    d.update(fields)
    out.write(json.dumps(d, separators=(",", ":")) + "\n")
    step += 1


emit("spawn", pid="<0.1.0>", parent="<0.0.0>")
emit("spawn", pid="<0.2.0>", parent="<0.1.0>")
next_pid = 3
kids = {}
for i in range(50):
    p = f"<0.{next_pid}.0>"
    next_pid += 1
    emit("spawn", pid=p, parent="<0.2.0>")
    emit("supervisor", sup="<0.2.0>", report="child_started", id=f"w{i}", pid=p)
    kids[i] = p
while step < steps:
    t += 1
    for i in range(0, 50, 7):
        emit("deliver", sig="message", **{"from": "<0.1.0>", "to": kids[i], "what": "{'$gen_cast',{work,%d}}" % step, "dead": "false"})
        emit("deliver", sig="message", **{"from": kids[i], "to": "<0.1.0>", "what": "{done,%d}" % step, "dead": "false"})
    if t % 10 == 0:
        i = (t // 10) % 50
        p = kids[i]
        emit("exit", pid=p, reason="boom")
        emit("deliver", sig="exit", **{"from": p, "to": "<0.2.0>", "what": "boom", "dead": "false"})
        emit("supervisor", sup="<0.2.0>", report="child_terminated", id=f"w{i}", reason="boom")
        q = f"<0.{next_pid}.0>"
        next_pid += 1
        emit("spawn", pid=q, parent="<0.2.0>")
        emit("supervisor", sup="<0.2.0>", report="child_started", id=f"w{i}", pid=q)
        kids[i] = q
