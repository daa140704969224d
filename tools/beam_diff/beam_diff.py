#!/usr/bin/env python3
"""Differential check of otpsim against the real BEAM: random supervision scenarios (workers
with restart types, shutdowns, trapped exits, slow terminates, failing inits; nested
supervisors; auto_shutdown; crash/exit/kill faults) run on the BEAM (scen.erl), whose observed
outcomes become the scenario's [[expect]] entries; `otpsim run` must then meet them on several
seeds. A scenario otpsim disagrees on is kept in OUT (default /tmp/beam_diff) for a look.

Fault times avoid the intensity windows' edges: OTP counts restarts in whole seconds of a
monotonic clock whose offset is arbitrary, so spans within a second of a period are a coin
toss on the BEAM. Needs: erlang-base, a built otpsim (build/release/cli/otpsim).
Usage: tools/beam_diff/beam_diff.py [COUNT] [SEED] [--out DIR] [--jobs N]
"""
import argparse, concurrent.futures as cf, os, random, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OTPSIM = os.path.join(ROOT, "build/release/cli/otpsim")


def gen_flags(r, nested):
    f = {"strategy": r.choice(["one_for_one", "one_for_all", "rest_for_one"]),
         "max_restarts": r.choice([0, 1, 2, 3, 3, 5]), "max_seconds": r.choice([1, 5, 5, 30]),
         "auto_shutdown": "never"}
    if nested and r.random() < 0.3:
        f["auto_shutdown"] = r.choice(["any_significant", "all_significant"])
    return f


def gen_worker(r, cid, auto):
    w = {"id": cid, "type": "worker", "restart": r.choice(["permanent", "permanent", "transient", "temporary"])}
    if r.random() < 0.5:
        w["shutdown"] = r.choice(["brutal_kill", 97, "infinity"])
    w["trap_exit"] = r.random() < 0.5  # otpsim's scenario default is true: always written
    if w["trap_exit"]:
        w["stop_delay_ms"] = r.choice([0, 23, 151])
    if r.random() < 0.1:
        w["init_fail"] = [r.choice(["boom", "ignore"])]
    if r.random() < 0.25:
        w["restart_fail"] = r.choice([["boom"], ["boom", "boom"], ["ignore"], ["{shutdown,db}"]])
    if auto != "never" and w["restart"] != "permanent" and r.random() < 0.6:
        w["significant"] = True
    return w


def gen_children(r, depth, flags):
    kids = []
    for i in range(r.randint(1, 4 if depth == 0 else 3)):
        cid = "abcdefgh"[i] if depth == 0 else "xyzw"[i]
        if depth == 0 and r.random() < 0.25:
            nf = gen_flags(r, True)
            s = {"id": cid, "type": "supervisor", "restart": r.choice(["permanent", "permanent", "transient", "temporary"]),
                 "flags": nf, "children": gen_children(r, 1, nf)}
            if r.random() < 0.3:
                s["shutdown"] = r.choice(["brutal_kill", 500, "infinity"])
            if flags["auto_shutdown"] != "never" and s["restart"] != "permanent" and r.random() < 0.6:
                s["significant"] = True
            kids.append(s)
        else:
            kids.append(gen_worker(r, cid, flags["auto_shutdown"]))
    return kids


def paths(children, prefix=""):
    for c in children:
        p = prefix + c["id"]
        yield p, c
        if c["type"] == "supervisor":
            yield from paths(c["children"], p + "/")


def periods(flags, children):
    out = {flags["max_seconds"]}
    for _, c in paths(children):
        if c["type"] == "supervisor":
            out.add(c["flags"]["max_seconds"])
    return out


def gen_scenario(r):
    flags = gen_flags(r, True)
    children = gen_children(r, 0, flags)
    nodes = list(paths(children))
    while True:
        n = r.randint(1, 5)
        t, times = 200, []
        for _ in range(n):
            times.append(t)
            t += r.choice([437, 1013, 2579])
        spans = [(b - a) / 1000 for i, a in enumerate(times) for b in times[i + 1:]]
        if all(not (p - 0.7 <= s <= p + 1.7) for p in periods(flags, children) for s in spans):
            break
    faults = []
    for at in times:
        p, c = r.choice(nodes)
        action = r.choice(["crash", "crash", "exit", "kill"]) if c["type"] == "worker" else r.choice(["exit", "kill"])
        reason = {"crash": r.choice(["boom", "normal", "shutdown", "{shutdown,bye}"]),
                  "exit": r.choice(["boom", "normal", "shutdown"]), "kill": "kill"}[action]
        faults.append({"at_ms": at, "child": p, "action": action, "reason": reason})
    return {"run_ms": times[-1] + 2500, "flags": flags, "children": children, "faults": faults}


# ------------------------------------------------------------------ writers
def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return '"' + str(v) + '"'


def to_toml(s, expects):
    out = ["run_ms = %d" % s["run_ms"], "", "[supervisor]"]
    out += ["%s = %s" % (k, toml_value(v)) for k, v in s["flags"].items()]

    def child(c, table):
        out.extend(["", "[[%s]]" % table])
        for k, v in c.items():
            if k == "flags":
                out.extend("%s = %s" % (fk, toml_value(fv)) for fk, fv in v.items())
            elif k != "children":
                out.append("%s = %s" % (k, toml_value(v)))
        for k in c.get("children", []):
            child(k, table + ".children")
    for c in s["children"]:
        child(c, "supervisor.children")
    for f in s["faults"]:
        out += ["", "[[fault]]"] + ["%s = %s" % (k, toml_value(v)) for k, v in f.items()]
    for e in expects:
        out += ["", "[[expect]]"] + ["%s = %s" % (k, toml_value(v)) for k, v in e.items()]
    return "\n".join(out) + "\n"


def erl(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ",".join(erl(x) for x in v) + "]"
    return v  # atoms and terms are written as Erlang source


def erl_flags(f):
    return "#{strategy=>%s,intensity=>%d,period=>%d,auto_shutdown=>%s}" % (
        f["strategy"], f["max_restarts"], f["max_seconds"], f["auto_shutdown"])


def erl_child(c, path):
    kv = ['id=>%s' % c["id"], 'path=>"%s"' % path, "type=>%s" % c["type"], "restart=>%s" % c["restart"],
          "significant=>%s" % erl(c.get("significant", False))]
    if "shutdown" in c:
        kv.append("shutdown=>%s" % erl(c["shutdown"]))
    if c["type"] == "worker":
        kv += ["trap_exit=>%s" % erl(c.get("trap_exit", False)), "stop_delay=>%d" % c.get("stop_delay_ms", 0),
               "init_fail=>%s" % erl(c.get("init_fail", [])), "restart_fail=>%s" % erl(c.get("restart_fail", []))]
    else:
        kv += ["flags=>" + erl_flags(c["flags"]),
               "children=>[" + ",".join(erl_child(k, path + "/" + k["id"]) for k in c["children"]) + "]"]
    return "#{" + ",".join(kv) + "}"


def to_erl(s):
    kids = ",".join(erl_child(c, c["id"]) for c in s["children"])
    faults = ",".join('{%d,"%s",%s,%s}' % (f["at_ms"], f["child"], f["action"], f["reason"]) for f in s["faults"])
    return "{scenario,%d,%s,[%s],[%s]}.\n" % (s["run_ms"], erl_flags(s["flags"]), kids, faults)


# ------------------------------------------------------------------ running
def on_beam(term_file):
    cmd = ["erl", "-noshell", "-pa", os.path.dirname(term_file), "-eval", 'scen:main("%s")' % term_file, "-s", "init", "stop"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    expects = []
    for line in out.splitlines():
        w = line.split(" ", 2)
        if w[0] == "root_alive":
            expects.append({"alive": True})
        elif w[0] == "root_exit":
            expects.append({"exit_reason": line[len("root_exit "):]})
        elif w[0] == "starts":
            expects.append({"child": w[1], "starts": int(w[2])})
        elif w[0] == "alive":
            expects.append({"child": w[1], "alive": w[2] == "true"})
    if not expects:
        raise RuntimeError("no output from the BEAM for %s: %s" % (term_file, out))
    return expects


def one(i, seed, out_dir, seeds):
    r = random.Random(seed * 100003 + i)
    s = gen_scenario(r)
    base = os.path.join(out_dir, "s%d_%d" % (seed, i))
    with open(base + ".term", "w") as f:
        f.write(to_erl(s))
    expects = on_beam(base + ".term")
    with open(base + ".toml", "w") as f:
        f.write("# beam_diff seed %d case %d: expectations measured on the BEAM\n" % (seed, i) + to_toml(s, expects))
    bad = []
    for sd in range(1, seeds + 1):
        p = subprocess.run([OTPSIM, "run", "--quiet", "--seed", str(sd), base + ".toml"], capture_output=True, text=True)
        if p.returncode != 0:
            bad.append("seed %d: %s" % (sd, (p.stdout + p.stderr).strip().replace("\n", " | ")[-600:]))
    return base, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("count", nargs="?", type=int, default=20)
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("--out", default="/tmp/beam_diff")
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=3, help="otpsim seeds per scenario")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["erlc", "-o", a.out, os.path.join(HERE, "scen.erl")], check=True)
    failed = 0
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for base, bad in ex.map(lambda i: one(i, a.seed, a.out, a.seeds), range(a.count)):
            if bad:
                failed += 1
                print("DIFFERS %s.toml\n  %s" % (base, "\n  ".join(bad)))
            else:
                print("same    %s.toml" % base)
    print("%d of %d scenarios differ" % (failed, a.count))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
