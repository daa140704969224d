// contracts, Supervisor: significant children (S32), the child API's results and what it keeps
// (S21 S22 S31), shutdown timing (S22 S23).
#include <map>
#include <stdexcept>

#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/properties/contract_probe.hpp>
#include <otpsim/properties/lab.hpp>

namespace otp::properties::contract {
namespace {

using lab::Lab;

// The entry of child `id` in which_children, or undefined.
Term child_entry(const Term& kids, const Term& id) {
  for (const auto& k : kids.items())
    if (k[0] == id) return k;
  return atom("undefined");
}

// S32: with any_significant the supervisor exits shutdown when a significant child ends for
// good (a transient one normally, a temporary one however); with all_significant when the last
// one has; a transient one that crashes is restarted and counts as running.
void significant(Probe& p) {
  bool any = p.chance("any_significant");
  auto n = static_cast<size_t>(p.ms("significant_children", 1, 3));
  std::vector<Restart> restart;
  std::vector<Term> why;
  for (size_t i = 0; i < n; ++i) {
    restart.push_back(p.chance("temporary") ? Restart::temporary : Restart::transient);
    why.push_back(p.pick("exits", std::vector<Term>{atom("normal"), atom("shutdown"), atom("boom"), tuple(atom("shutdown"), tuple(atom("a"), integer(1)))}));
  }
  // A child that is not significant ending for good counts for nothing (S32).
  bool other_ends = p.chance("a_non_significant_child_ends_first");
  Restart other = p.chance("it_is_temporary") ? Restart::temporary : Restart::transient;
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> kids;
    for (size_t i = 0; i < n; ++i)
      kids.push_back(lab::spec(l, "s" + std::to_string(i), {.restart = restart[i], .significant = true}));
    kids.push_back(lab::spec(l, "p"));
    kids.push_back(lab::spec(l, "t", {.restart = other}));
    SupFlags flags{.max_restarts = 10, .auto_shutdown = any ? AutoShutdown::any_significant : AutoShutdown::all_significant};
    Pid sup = (co_await supervisor::start_link(self, flags, kids)).pid;
    Ref m = self.monitor(sup);
    if (other_ends) {
      co_await lab::crash(self, sup, "t", atom("normal"));
      p.expect("supervisor alive after a child that is not significant ended", self.node().alive(sup), true);
    }
    size_t running = n;
    bool alive = true;
    for (size_t i = 0; i < n && alive; ++i) {
      co_await lab::crash(self, sup, "s" + std::to_string(i), why[i]);
      bool normal = why[i].is_atom("normal") || why[i].is_atom("shutdown") || (why[i].is_tuple(2) && why[i][0].is_atom("shutdown"));  // S1
      bool for_good = restart[i] == Restart::temporary || normal;
      if (for_good) --running;
      alive = !(for_good && (any || running == 0));
      p.expect("supervisor alive after s" + std::to_string(i) + " exited " + why[i].to_string(), self.node().alive(sup), alive);
    }
    if (!alive) {
      auto down = co_await self.receive(down_of(m), 0);
      p.expect("the supervisor's exit reason", down ? down->get<DownMsg>()->reason : atom("still_running"), atom("shutdown"));
    } else {
      self.exit(sup, atom("shutdown"));
      co_await self.receive(down_of(m));
    }
  });
}

// S32 with S29: a significant child waiting for the retry of its failed restart is still there
// (OTP keeps it as {restarting, _}, not undefined): another significant child ending for good
// does not shut an all_significant supervisor down, and a crash of the restarting one never
// counts as ending for good (measured on OTP 25 with the supervisor suspended in between).
void significant_restarting(Probe& p) {
  bool any = p.chance("any_significant");
  int64_t failures = p.ms("failed_restarts", 1, 3);
  int64_t slow = p.ms("failing_start_ms", 3, 20);
  lab::Lab l;
  int64_t starts = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    ChildSpec a = lab::spec(l, "a", {.restart = Restart::transient, .significant = true});
    ServerFactory make = [&l] { return std::make_unique<lab::Worker>(l, "a", true, 0); };
    a.start = [&, make](Process& sup) -> Task<StartResult> {
      if (starts++ == 0 || starts > failures + 1) co_return co_await gen_server::start_link(sup, make);
      co_await sup.sleep(slow);
      co_return StartResult::error(atom("not_yet"));
    };
    std::vector<ChildSpec> kids{a};
    if (!any) kids.push_back(lab::spec(l, "b", {.restart = Restart::transient, .significant = true}));
    SupFlags flags{.max_restarts = 100, .auto_shutdown = any ? AutoShutdown::any_significant : AutoShutdown::all_significant};
    Pid sup = (co_await supervisor::start_link(self, flags, kids)).pid;
    Ref m = self.monitor(sup);
    Pid first = co_await lab::child_pid(self, sup, "a");
    gen_server::cast(self, first, tuple(atom("crash"), atom("boom")));
    co_await self.sleep(1);  // a's first restart is failing
    if (!any) {
      Pid b = co_await lab::child_pid(self, sup, "b");
      gen_server::cast(self, b, tuple(atom("crash"), atom("normal")));  // b ends for good
    }
    co_await self.sleep(slow * (failures + 1) + 5);
    p.expect("supervisor alive while a significant child restarts", self.node().alive(sup), true);
    if (self.node().alive(sup))
      p.expect("a runs after its retries", child_entry(co_await supervisor::which_children(self, sup), atom("a"))[1].is_pid(), true);
    self.exit(sup, atom("shutdown"));
    co_await self.receive(down_of(m));
  });
}

// S31: start_child of an id that runs: {error,{already_started,Pid}}; that was terminated:
// {error,already_present} (a temporary child's spec is gone: it starts again); restart_child
// brings a terminated one back; a new id whose name is taken is {error,{{already_started,P},Spec}}.
void start_child_twice(Probe& p) {
  std::string kind = p.pick("restart", std::vector<std::string>{"permanent", "transient", "temporary"});
  Restart r = kind == "temporary" ? Restart::temporary : kind == "transient" ? Restart::transient : Restart::permanent;
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await supervisor::start_link(self, {}, {lab::spec(l, "a", {.restart = r})})).pid;
    Pid a = co_await lab::child_pid(self, sup, "a");
    Term again = co_await supervisor::start_child(self, sup, lab::spec(l, "a", {.restart = r}));
    p.expect("start_child of a running id", again, tuple(atom("error"), tuple(atom("already_started"), a)));
    p.expect("terminate_child", co_await supervisor::terminate_child(self, sup, atom("a")), atom("ok"));
    Term after = co_await supervisor::start_child(self, sup, lab::spec(l, "a", {.restart = r}));
    if (r == Restart::temporary) {
      p.expect("start_child after a temporary child was terminated", after.is_tuple(2) && after[0].is_atom("ok") && after[1].is_pid(), true);
    } else {
      p.expect("start_child of a terminated id", after, tuple(atom("error"), atom("already_present")));
      Term back = co_await supervisor::restart_child(self, sup, atom("a"));
      p.expect("restart_child", back.is_tuple(2) && back[0].is_atom("ok") && back[1].is_pid(), true);
    }
    // A new id whose start finds its name held by another process is an error of the start
    // like any other: {error,{{already_started,Holder},ChildSpec}} (OTP 25, measured).
    ChildSpec named = worker_spec(atom("b"), [&l] { return std::make_unique<lab::Worker>(l, "b", false, 0); },
                                  {.name = {.local = "taken"}});
    named.restart = r;
    Pid holder = self.spawn([](Process& h) -> Proc {
      h.register_name("taken");
      co_await h.receive_any();
    });
    co_await self.sleep(1);
    p.expect("start_child whose name is taken", co_await supervisor::start_child(self, sup, named),
             tuple(atom("error"), tuple(tuple(atom("already_started"), holder), named.to_term())));
    self.exit(holder, atom("kill"));
    self.exit(sup, atom("shutdown"));
  });
}

// S31: count_children counts specs, not processes: a terminated supervisor child is still one
// of the supervisors (measured on OTP 25); which_children and get_childspec give each child's
// type, worker or supervisor.
void count_children(Probe& p) {
  bool stop_inner = p.chance("terminate_the_supervisor_child");
  int64_t workers = p.ms("workers", 1, 3);
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> kids{supervisor::supervisor_spec(atom("inner"), {}, {})};
    for (int64_t i = 0; i < workers; ++i) kids.push_back(lab::spec(l, "w" + std::to_string(i)));
    Pid sup = (co_await supervisor::start_link(self, {}, kids)).pid;
    co_await supervisor::terminate_child(self, sup, stop_inner ? atom("inner") : atom("w0"));
    Term counts = co_await supervisor::count_children(self, sup);
    p.expect("count_children", counts,
             list(tuple(atom("specs"), integer(workers + 1)), tuple(atom("active"), integer(workers)), tuple(atom("supervisors"), integer(1)),
                  tuple(atom("workers"), integer(workers))));
    std::string types;
    Term children = co_await supervisor::which_children(self, sup);  // (a range-for over a temporary's items() would dangle)
    for (const auto& k : children.items()) types += " " + k[0].to_string() + ":" + k[2].to_string();
    std::string want;
    for (int64_t i = workers - 1; i >= 0; --i) want += " w" + std::to_string(i) + ":worker";  // newest first
    p.expect("which_children's types", types, want + " inner:supervisor");
    p.expect("the supervisor child's spec type", (co_await supervisor::get_childspec(self, sup, atom("inner")))[1].items()[3],
             tuple(atom("type"), atom("supervisor")));
    self.exit(sup, atom("shutdown"));
  });
}

// S31: count_children's `active` counts the children that are alive (OTP's count_child asks
// is_process_alive), while which_children lists the pids the supervisor holds. Children killed
// while the supervisor is busy in a slow start_child, their EXITs queued behind a count_children
// and a which_children call, are listed but not active; once restarted they are active again.
// A child whose start returned a pid it did not link stays listed and uncounted once that pid
// ends (tools/beam_diff/count_children_dead_child.erl: 20 of 20 each, and with sys:suspend).
Task<StartResult> slow_start(Process& s, StartFn start, int64_t ms) {
  co_await s.sleep(ms);
  co_return co_await start(s);
}

Task<StartResult> start_unlinked(Process& s) {
  co_return StartResult::ok(s.spawn([](Process& me) -> Proc { co_await me.receive_any(); }));
}

void count_children_dead_child(Probe& p) {
  int64_t workers = p.ms("workers", 1, 3);
  int64_t killed = p.ms("killed", 1, workers);
  int64_t start_ms = p.ms("slow_start_ms", 20, 60);
  bool inner = p.chance("a_supervisor_child_killed");
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> kids;
    if (inner) kids.push_back(supervisor::supervisor_spec(atom("inner"), {}, {}));
    for (int64_t i = 0; i < workers; ++i) kids.push_back(lab::spec(l, "w" + std::to_string(i)));
    Pid sup = (co_await supervisor::start_link(self, {.max_restarts = 10}, kids)).pid;  // every victim restarted
    std::vector<Pid> victims;
    if (inner) victims.push_back(co_await lab::child_pid(self, sup, "inner"));
    for (int64_t i = 0; i < killed; ++i) victims.push_back(co_await lab::child_pid(self, sup, "w" + std::to_string(i)));
    ChildSpec slow = lab::spec(l, "slow");
    slow.start = [start = slow.start, start_ms](Process& s) { return slow_start(s, start, start_ms); };
    Pid parent = self.self();
    self.spawn([sup, slow, parent](Process& me) -> Proc {
      Term r = co_await supervisor::start_child(me, sup, slow);
      me.send(parent, tuple(atom("started"), r[0]));
    });
    co_await self.sleep(5);
    self.spawn([sup, parent](Process& me) -> Proc {
      me.send(parent, tuple(atom("count"), co_await supervisor::count_children(me, sup)));
    });
    self.spawn([sup, parent](Process& me) -> Proc {
      co_await me.sleep(2);
      me.send(parent, tuple(atom("which"), co_await supervisor::which_children(me, sup)));
    });
    co_await self.sleep(10);
    for (Pid v : victims) self.exit(v, reasons::kill());
    auto tagged = [](const char* tag) { return [tag](const Message& m) { return m.get<Term>() && m.get<Term>()->is_tuple(2) && (*m.get<Term>())[0].is_atom(tag); }; };
    auto started = co_await self.receive(tagged("started"));
    p.expect("the slow start_child", (*started->get<Term>())[1], atom("ok"));
    Term counts = (*(co_await self.receive(tagged("count")))->get<Term>())[1];
    int64_t specs = workers + (inner ? 1 : 0) + 1;
    auto count_term = [&](int64_t n, int64_t active) {
      return list(tuple(atom("specs"), integer(n)), tuple(atom("active"), integer(active)),
                  tuple(atom("supervisors"), integer(inner ? 1 : 0)), tuple(atom("workers"), integer(n - (inner ? 1 : 0))));
    };
    p.expect("count_children with dead children not yet restarted", counts, count_term(specs, specs - static_cast<int64_t>(victims.size())));
    Term which = (*(co_await self.receive(tagged("which")))->get<Term>())[1];
    int64_t listed = 0;
    for (const auto& k : which.items())
      for (Pid v : victims)
        if (k[1].is_pid() && k[1].pid() == v) ++listed;
    p.expect("dead children which_children still lists", listed, static_cast<int64_t>(victims.size()));
    co_await self.sleep(10);
    p.expect("count_children once they are restarted", co_await supervisor::count_children(self, sup), count_term(specs, specs));
    // A child whose start returned a pid it did not link: its end never reaches the supervisor.
    ChildSpec u;
    u.id = atom("u");
    u.start = start_unlinked;
    Pid up = (co_await supervisor::start_child(self, sup, u))[1].pid();
    self.send(up, atom("stop"));
    co_await self.sleep(5);
    p.expect("count_children after an unlinked child ended", co_await supervisor::count_children(self, sup), count_term(specs + 1, specs));
    p.expect("which_children's entry of the unlinked child", child_entry(co_await supervisor::which_children(self, sup), atom("u"))[1], Term(up));
    self.exit(sup, atom("shutdown"));
  });
}

// S21 S31: a child whose start returns ignore: a temporary one is dropped, another is kept
// with pid undefined (and restart_child starts it); start_child gives {ok,undefined}.
void ignored_child(Probe& p) {
  std::string kind = p.pick("restart", std::vector<std::string>{"permanent", "transient", "temporary"});
  bool at_init = p.chance("at_init");
  Restart r = kind == "temporary" ? Restart::temporary : kind == "transient" ? Restart::transient : Restart::permanent;
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    l.next_init["g"] = {atom("ignore")};
    ChildSpec g = lab::spec(l, "g", {.restart = r});
    std::vector<ChildSpec> kids{lab::spec(l, "a")};
    if (at_init) kids.push_back(g);
    Pid sup = (co_await supervisor::start_link(self, {}, kids)).pid;
    if (!at_init) p.expect("start_child of an ignoring child", co_await supervisor::start_child(self, sup, g), tuple(atom("ok"), atom("undefined")));
    Term entry = child_entry(co_await supervisor::which_children(self, sup), atom("g"));
    p.expect("its which_children entry", entry.is_atom("undefined") ? std::string("none") : entry[1].to_string(),
             std::string(r == Restart::temporary ? "none" : "undefined"));
    if (r != Restart::temporary) {
      Term back = co_await supervisor::restart_child(self, sup, atom("g"));
      p.expect("restart_child", back.is_tuple(2) && back[0].is_atom("ok") && back[1].is_pid(), true);
    }
    self.exit(sup, atom("shutdown"));
  });
}

// S22 S23: shutdown infinity waits however long terminate takes; a supervisor child's shutdown
// is infinity unless given, so a slow subtree stops in order, nothing killed.
void slow_shutdown(Probe& p) {
  int64_t slow = p.ms("terminate_ms", 4000, 9000);
  bool nested = p.chance("inside_a_supervisor_child");
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    ChildSpec w = lab::spec(l, "w", {.shutdown = Shutdown::infinity(), .stop_delay_ms = slow});
    ChildSpec top = nested ? supervisor::supervisor_spec(atom("inner"), {}, {w}) : w;
    Pid sup = (co_await supervisor::start_link(self, {}, {top})).pid;
    if (nested) {
      Term spec = co_await supervisor::get_childspec(self, sup, atom("inner"));
      p.expect("the supervisor child's shutdown", spec[1].items()[2], tuple(atom("shutdown"), atom("infinity")));
    }
    Pid child = co_await lab::child_pid(self, sup, nested ? "inner" : "w");
    Ref m = self.monitor(child);
    int64_t t0 = self.now_ms();
    p.expect("terminate_child", co_await supervisor::terminate_child(self, sup, nested ? atom("inner") : atom("w")), atom("ok"));
    p.expect("terminate_child took", self.now_ms() - t0, slow);
    auto down = co_await self.receive(down_of(m));
    p.expect("the child's exit reason", down->get<DownMsg>()->reason, atom("shutdown"));
    p.expect("the worker's terminate ran", l.joined().find("stop:w:shutdown") != std::string::npos, true);
    self.exit(sup, atom("shutdown"));
  });
}

// S23: a child still terminating when its shutdown time is up is killed at that very ms. A
// worker's shutdown is 5000 ms unless given (S22), as get_childspec shows. A brutal_kill child
// is killed at once, though it traps exits: its terminate never runs.
void shutdown_timeout(Probe& p) {
  bool brutal = p.chance("brutal_kill");
  bool given = !brutal && p.chance("shutdown_given");
  int64_t t = brutal ? 0 : given ? p.ms("shutdown_ms", 1, 50) : 5000;
  int64_t over = p.ms("terminate_takes_longer_by_ms", 1, 30);
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Shutdown how = brutal ? Shutdown::brutal_kill() : given ? Shutdown::timeout(t) : Shutdown{};
    Pid sup = (co_await supervisor::start_link(self, {}, {lab::spec(l, "w", {.shutdown = how, .stop_delay_ms = t + over})})).pid;
    Term spec = co_await supervisor::get_childspec(self, sup, atom("w"));
    p.expect("the worker's shutdown", spec[1].items()[2], tuple(atom("shutdown"), brutal ? atom("brutal_kill") : integer(t)));
    Pid w = co_await lab::child_pid(self, sup, "w");
    Ref m = self.monitor(w);
    co_await gen_server::call(self, w, atom("ping"));  // answered: the monitor is in place before the kill
    int64_t t0 = self.now_ms();
    co_await supervisor::terminate_child(self, sup, atom("w"));
    p.expect("terminate_child took", self.now_ms() - t0, t);
    auto down = co_await self.receive(down_of(m));
    p.expect("the child's exit reason", down->get<DownMsg>()->reason, atom("killed"));
    p.expect("its terminate ran", l.joined().find("stop:w") != std::string::npos, false);
    self.exit(sup, atom("shutdown"));
  });
}

// S22 S31: invalid specs and failed starts: a significant child under auto_shutdown never or
// a permanent significant one is a bad_combination; a duplicate id fails start_link; a start
// that fails gives {error,{R,ChildSpec}} and keeps nothing; a start function that throws fails
// with {'EXIT', R} (OTP's `catch apply(M, F, A)`), at start_link and from start_child.
void bad_specs(Probe& p) {
  int what = static_cast<int>(p.ms("case", 0, 6));
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    if (what == 6) {
      bool as_exit = p.chance("throws_an_exit");
      Term why = as_exit ? atom("bad") : tuple(atom("error"), str("bad"));
      ChildSpec t{.id = atom("t"), .start = [as_exit](Process&) -> Task<StartResult> {
                    if (as_exit) throw Exit(atom("bad"));
                    throw std::runtime_error("bad");
                  }};
      p.expect("start_link with a start function that throws", (co_await supervisor::start_link(self, {}, {lab::spec(l, "a"), t})).to_term(),
               tuple(atom("error"), tuple(atom("shutdown"), tuple(atom("failed_to_start_child"), atom("t"), tuple(atom("EXIT"), why)))));
      Pid sup = (co_await supervisor::start_link(self, {}, {})).pid;
      p.expect("start_child with a start function that throws", co_await supervisor::start_child(self, sup, t),
               tuple(atom("error"), tuple(tuple(atom("EXIT"), why), t.to_term())));
      self.exit(sup, atom("shutdown"));
      co_return;
    }
    if (what == 5) {  // a spec without an id (S22: missing_id, as OTP 25)
      ChildSpec noid = lab::spec(l, "x");
      noid.id = Term();
      p.expect("start_link with a spec without an id", (co_await supervisor::start_link(self, {}, {noid})).to_term(),
               tuple(atom("error"), tuple(atom("start_spec"), atom("missing_id"))));
      Pid sup = (co_await supervisor::start_link(self, {}, {})).pid;
      p.expect("start_child of a spec without an id", co_await supervisor::start_child(self, sup, noid),
               tuple(atom("error"), atom("missing_id")));
      self.exit(sup, atom("shutdown"));
      co_return;
    }
    if (what == 2) {
      StartResult r = co_await supervisor::start_link(self, {}, {lab::spec(l, "a"), lab::spec(l, "b"), lab::spec(l, "a")});
      p.expect("start_link with a duplicate id", r.to_term(),
               tuple(atom("error"), tuple(atom("start_spec"), tuple(atom("duplicate_child_name"), atom("a")))));
      co_return;
    }
    SupFlags flags{.auto_shutdown = what == 1 ? AutoShutdown::any_significant : AutoShutdown::never};  // 4: permanent under never
    Pid sup = (co_await supervisor::start_link(self, flags, {lab::spec(l, "a")})).pid;
    if (what == 3) {
      l.next_init["f"] = {atom("boom")};
      ChildSpec f = lab::spec(l, "f");
      Term r = co_await supervisor::start_child(self, sup, f);
      p.expect("start_child whose start fails", r, tuple(atom("error"), tuple(atom("boom"), f.to_term())));
      p.expect("its entry afterwards", child_entry(co_await supervisor::which_children(self, sup), atom("f")), atom("undefined"));
    } else {
      Restart restart = what == 0 ? Restart::transient : Restart::permanent;
      Term r = co_await supervisor::start_child(self, sup, lab::spec(l, "s", {.restart = restart, .significant = true}));
      // OTP 25 checks auto_shutdown first: a permanent significant child under never is refused for never.
      Term combo = what == 0 || what == 4 ? list(tuple(atom("auto_shutdown"), atom("never")), tuple(atom("significant"), atom("true")))
                             : list(tuple(atom("restart"), atom("permanent")), tuple(atom("significant"), atom("true")));
      p.expect("start_child of a significant child", r, tuple(atom("error"), tuple(atom("bad_combination"), combo)));
    }
    self.exit(sup, atom("shutdown"));
  });
}

// S29 S31: a child whose restart failed is `restarting` until the retry (a message to the
// supervisor itself, queued behind what already waits) starts it: which_children shows
// `restarting`, count_children does not count it active, restart_child and delete_child answer
// {error,restarting}, and terminate_child stops the retries (the child stays down). Once a
// retry has started it, it is running: restart_child and delete_child answer {error,running}.
void restarting_child(Probe& p) {
  int64_t failures = p.ms("failed_restarts", 1, 3);
  bool terminate = p.chance("terminate_child_meanwhile");
  int64_t slow = p.ms("failing_start_ms", 3, 20);
  lab::Lab l;
  int64_t starts = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    ChildSpec c = lab::spec(l, "c");
    ServerFactory make = [&l] { return std::make_unique<lab::Worker>(l, "c", true, 0); };
    // A failing start takes time: the questions below reach the supervisor while it runs, so
    // they are answered after the failure and before the retry.
    c.start = [&, make](Process& sup) -> Task<StartResult> {
      if (starts++ == 0 || starts > failures + 1) co_return co_await gen_server::start_link(sup, make);
      co_await sup.sleep(slow);
      co_return StartResult::error(atom("not_yet"));
    };
    Pid sup = (co_await supervisor::start_link(self, {.max_restarts = 100}, {c, lab::spec(l, "other")})).pid;
    Pid first = co_await lab::child_pid(self, sup, "c");
    gen_server::cast(self, first, tuple(atom("crash"), atom("boom")));
    co_await self.sleep(1);  // the first failing restart is under way
    Pid me = self.self();
    auto ask = [&, me](int k) {
      self.spawn([&, me, k](Process& q) -> Proc {
        Term r;
        switch (k) {
          case 0: r = child_entry(co_await supervisor::which_children(q, sup), atom("c"))[1]; break;
          case 1: r = co_await supervisor::count_children(q, sup); break;
          case 2: r = co_await supervisor::restart_child(q, sup, atom("c")); break;
          case 3: r = co_await supervisor::delete_child(q, sup, atom("c")); break;
          default: r = co_await supervisor::terminate_child(q, sup, atom("c")); break;
        }
        q.send(me, tuple(integer(k), r));
      });
    };
    std::vector<int> asked = terminate ? std::vector<int>{4} : std::vector<int>{0, 1, 2, 3};
    for (int k : asked) ask(k);
    std::map<int64_t, Term> got;
    for (size_t i = 0; i < asked.size(); ++i) {
      auto m = co_await self.receive([](const Message& x) { return x.to_term().is_tuple(2) && x.to_term()[0].is_integer(); });
      got[m->to_term()[0].integer_value()] = m->to_term()[1];
    }
    if (!terminate) {
      p.expect("which_children while it restarts", got[0], atom("restarting"));
      p.expect("count_children while it restarts", got[1],
               list(tuple(atom("specs"), integer(2)), tuple(atom("active"), integer(1)), tuple(atom("supervisors"), integer(0)),
                    tuple(atom("workers"), integer(2))));
      p.expect("restart_child while it restarts", got[2], tuple(atom("error"), atom("restarting")));
      p.expect("delete_child while it restarts", got[3], tuple(atom("error"), atom("restarting")));
      co_await self.sleep(slow * (failures + 1) + 5);
      p.expect("it runs after its retries", child_entry(co_await supervisor::which_children(self, sup), atom("c"))[1].is_pid(), true);
      // Restarted at last, it is a running child like any other.
      p.expect("restart_child once it runs", co_await supervisor::restart_child(self, sup, atom("c")), tuple(atom("error"), atom("running")));
      p.expect("delete_child once it runs", co_await supervisor::delete_child(self, sup, atom("c")), tuple(atom("error"), atom("running")));
    } else {
      p.expect("terminate_child while it restarts", got[4], atom("ok"));
      co_await self.sleep(slow * (failures + 1) + 5);
      p.expect("after terminate_child", child_entry(co_await supervisor::which_children(self, sup), atom("c"))[1], atom("undefined"));
      p.expect("starts (the first and the one failing when it was stopped)", starts, 2);
    }
    self.exit(sup, atom("shutdown"));
  });
}

}  // namespace

const std::vector<ProbeDef>& supervisor_probes() {
  static const std::vector<ProbeDef> v = {
      {"significant", "S32", significant},
      {"start-child-twice", "S31", start_child_twice},
      {"count-children", "S31", count_children},
      {"count-children-dead-child", "S31", count_children_dead_child},
      {"ignored-child", "S21 S31", ignored_child},
      {"slow-shutdown", "S22 S23", slow_shutdown},
      {"shutdown-timeout", "S23", shutdown_timeout},
      {"bad-specs", "S22 S31", bad_specs},
      {"restarting-child", "S29 S31", restarting_child},
      {"significant-restarting", "S29 S32", significant_restarting},
  };
  return v;
}

}  // namespace otp::properties::contract
