// contracts, the other behaviours: DynamicSupervisor shutdown and giving up (S40 S28), Task
// links and results (S50), Registry.dispatch (S60), Application env and stop (S70), pool
// retries (S80), replay tokens (S91).
#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>

#include <otpsim/core/behaviours/application.hpp>
#include <otpsim/core/behaviours/dynamic_supervisor.hpp>
#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/behaviours/task_supervisor.hpp>
#include <otpsim/core/components/buffered_writer.hpp>
#include <otpsim/core/components/circuit_breaker.hpp>
#include <otpsim/core/components/pool.hpp>
#include <otpsim/core/components/pool_dispatcher.hpp>
#include <otpsim/core/components/retrying_connection.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/properties/contract_probe.hpp>
#include <otpsim/properties/explore_programs.hpp>
#include <otpsim/properties/lab.hpp>
#include <otpsim/sim/chooser.hpp>
#include <otpsim/sim/shrink.hpp>
#include <otpsim/sim/token.hpp>
#include <otpsim/testing/check.hpp>
#include <otpsim/testing/run_once.hpp>

namespace otp::properties::contract {
namespace {

dynamic_supervisor::ChildSpec lab_child(lab::Lab& l, const std::string& id, int64_t stop_delay_ms) {
  dynamic_supervisor::ChildSpec s;
  s.start = [&l, id, stop_delay_ms](Process& sup, std::vector<Term>) {
    return gen_server::start_link(sup, [&l, id, stop_delay_ms] { return std::make_unique<lab::Worker>(l, id, true, stop_delay_ms); });
  };
  return s;
}

// A task body: after `ms`, returns `value` or exits with it (exits = true).
TaskFn after(int64_t ms, Term value, bool exits) {
  return [ms, value, exits](Process& t) -> Task<Term> {
    co_await t.sleep(ms);
    if (exits) throw Exit(value);
    co_return value;
  };
}

// S40: terminate_child signals shutdown and kills a child still alive after its shutdown time;
// a brutal_kill child is killed at once (S23), its terminate never runs, trapping or not.
void dynamic_shutdown(Probe& p) {
  bool brutal = p.chance("brutal_kill");
  int64_t t = p.ms("shutdown_ms", 1, 60);
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {})).pid;
    dynamic_supervisor::ChildSpec c = lab_child(l, "c", brutal ? t : 1'000'000'000);
    c.shutdown = brutal ? Shutdown::brutal_kill() : Shutdown::timeout(t);
    Term r = co_await dynamic_supervisor::start_child(self, sup, c);
    Pid child = r[1].pid();
    Ref m = self.monitor(child);
    co_await gen_server::call(self, child, atom("ping"));  // answered: the monitor is in place before the kill
    int64_t t0 = self.now_ms();
    p.expect("terminate_child", co_await dynamic_supervisor::terminate_child(self, sup, child), atom("ok"));
    p.expect("terminate_child took", self.now_ms() - t0, brutal ? 0 : t);
    auto down = co_await self.receive(down_of(m));
    p.expect("the child's exit reason", down->get<DownMsg>()->reason, atom("killed"));
    p.expect("its terminate ran", l.joined().find("stop:c") != std::string::npos, false);
    self.exit(sup, atom("shutdown"));
  });
}

// S40 S28: every restart attempt counts toward intensity, failed ones too: a child whose
// restarts keep failing makes the DynamicSupervisor give up (exit shutdown).
void dynamic_gives_up(Probe& p) {
  int64_t max_restarts = p.ms("max_restarts", 0, 3);
  lab::Lab l;
  int64_t starts = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {.max_restarts = max_restarts})).pid;
    Ref m = self.monitor(sup);
    dynamic_supervisor::ChildSpec c;
    c.start = [&](Process& s, std::vector<Term>) -> Task<StartResult> {
      if (starts++ == 0) co_return co_await gen_server::start_link(s, [&l] { return std::make_unique<lab::Worker>(l, "c", true, 0); });
      co_return StartResult::error(atom("nope"));
    };
    Term r = co_await dynamic_supervisor::start_child(self, sup, c);
    gen_server::cast(self, r[1].pid(), tuple(atom("crash"), atom("boom")));
    auto down = co_await self.receive(down_of(m), 60'000);
    p.expect("the supervisor's exit reason", down ? down->get<DownMsg>()->reason : atom("still_running"), atom("shutdown"));
    p.expect("start attempts", starts, 1 + max_restarts);
  });
}

// S40: sys::get_state of a DynamicSupervisor lists each child as {undefined, Pid, Type,
// Restarts}, as a supervisor's does (docs/seeing-what-happened.md; observer::snapshot shows
// it): a child restarted k times shows k.
void dynamic_state_restarts(Probe& p) {
  int64_t k = p.ms("restarts", 0, 3);
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {.max_restarts = 10})).pid;
    Pid child = (co_await dynamic_supervisor::start_child(self, sup, lab_child(l, "c", 0)))[1].pid();
    for (int64_t i = 0; i < k; ++i) {
      Ref m = self.monitor(child);
      self.exit(child, atom("kill"));
      co_await self.receive(down_of(m));
      for (;;) {  // until which_children lists the restarted one
        Term kids = co_await dynamic_supervisor::which_children(self, sup);
        Pid now = kids.size() == 1 && kids.items()[0][1].is_pid() ? kids.items()[0][1].pid() : Pid{};
        if (now && now != child) {
          child = now;
          break;
        }
        co_await self.sleep(1);
      }
    }
    Term st = co_await sys::get_state(self, sup);
    p.expect("the child's restarts in sys:get_state", st[2].size() == 1 ? st[2].items()[0][3] : atom("no_single_child"), integer(k));
    self.exit(sup, atom("shutdown"));
  });
}

// S40: a child being restarted (its start failed; the retry is a message to the supervisor
// itself) is one of the specs, and of the supervisors when it is one, but not active, and
// which_children shows it as `restarting`, not its old pid; it still takes its place under
// max_children (Elixir 1.14, measured: {error,max_children} meanwhile).
void dynamic_count_restarting(Probe& p) {
  int64_t failures = p.ms("failed_restarts", 1, 4);
  bool sup_type = p.chance("supervisor_type");
  int64_t slow = p.ms("failing_start_ms", 3, 20);
  bool limited = p.chance("max_children_1");
  lab::Lab l;
  int64_t starts = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    dynamic_supervisor::Options opts{.max_restarts = 100};
    if (limited) opts.max_children = 1;
    Pid sup = (co_await dynamic_supervisor::start_link(self, opts)).pid;
    dynamic_supervisor::ChildSpec c;
    c.type = sup_type ? ChildType::supervisor : ChildType::worker;
    c.start = [&](Process& s, std::vector<Term>) -> Task<StartResult> {
      if (starts++ == 0 || starts > failures + 1)
        co_return co_await gen_server::start_link(s, [&l] { return std::make_unique<lab::Worker>(l, "c", true, 0); });
      co_await s.sleep(slow);  // the count below reaches the supervisor meanwhile: answered before the retry
      co_return StartResult::error(atom("not_yet"));
    };
    Term r = co_await dynamic_supervisor::start_child(self, sup, c);
    gen_server::cast(self, r[1].pid(), tuple(atom("crash"), atom("boom")));
    co_await self.sleep(1);
    Pid me = self.self();
    self.spawn([&, me](Process& q) -> Proc {  // asked alongside the count: answered before the retry too
      Term kids = co_await dynamic_supervisor::which_children(q, sup);
      q.send(me, tuple(atom("which"), kids));
    });
    Term counts = co_await dynamic_supervisor::count_children(self, sup);
    p.expect("count_children while it restarts", counts,
             list(tuple(atom("specs"), integer(1)), tuple(atom("active"), integer(0)), tuple(atom("supervisors"), integer(sup_type ? 1 : 0)),
                  tuple(atom("workers"), integer(sup_type ? 0 : 1))));
    auto which = co_await self.receive([](const Message& x) { return x.to_term().is_tuple(2) && x.to_term()[0].is_atom("which"); });
    Term kids = which->to_term()[1];
    p.expect("which_children while it restarts", kids.items().size() == 1 ? kids.items()[0][1] : kids, atom("restarting"));
    if (limited) {
      dynamic_supervisor::ChildSpec other;
      other.start = [](Process& s, std::vector<Term>) -> Task<StartResult> {
        co_return StartResult::ok(s.spawn_link([](Process& me) -> Proc { co_await me.receive_any(); }));
      };
      p.expect("start_child at max_children while one restarts", co_await dynamic_supervisor::start_child(self, sup, other),
               tuple(atom("error"), atom("max_children")));
    }
    co_await self.sleep(slow * (failures + 1) + 5);
    p.expect("starts", starts, failures + 2);
    self.exit(sup, atom("shutdown"));
  });
}

// S40: a child whose restart returns ignore is dropped (Elixir 1.14's restart_child deletes
// it): the supervisor has no child left, and nothing starts it again.
void dynamic_restart_ignored(Probe& p) {
  bool sup_type = p.chance("supervisor_type");
  lab::Lab l;
  int64_t starts = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {})).pid;
    dynamic_supervisor::ChildSpec c;
    c.type = sup_type ? ChildType::supervisor : ChildType::worker;
    c.start = [&](Process& s, std::vector<Term>) -> Task<StartResult> {
      if (starts++ == 0) co_return co_await gen_server::start_link(s, [&l] { return std::make_unique<lab::Worker>(l, "c", true, 0); });
      co_return StartResult::ignore();
    };
    Term r = co_await dynamic_supervisor::start_child(self, sup, c);
    gen_server::cast(self, r[1].pid(), tuple(atom("crash"), atom("boom")));
    co_await self.sleep(10);
    p.expect("count_children after the ignored restart", co_await dynamic_supervisor::count_children(self, sup),
             list(tuple(atom("specs"), integer(0)), tuple(atom("active"), integer(0)), tuple(atom("supervisors"), integer(0)),
                  tuple(atom("workers"), integer(0))));
    p.expect("which_children", co_await dynamic_supervisor::which_children(self, sup), list());
    p.expect("starts", starts, 2);
    self.exit(sup, atom("shutdown"));
  });
}

// S40: bad input is refused as Elixir refuses it: a negative shutdown at start_child (checked
// in the caller: nothing started), bad flags or max_children at start_link ({supervisor_data, E}).
void dynamic_bad_input(Probe& p) {
  int what = static_cast<int>(p.ms("case", 0, 3));
  int64_t bad = -p.ms("by", 1, 5);
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    if (what == 0) {
      Pid sup = (co_await dynamic_supervisor::start_link(self, {})).pid;
      dynamic_supervisor::ChildSpec c;
      c.start = [](Process& s, std::vector<Term>) -> Task<StartResult> { co_return StartResult::ok(s.spawn_link([](Process&) -> Proc { co_return; })); };
      c.shutdown = Shutdown::timeout(bad);
      p.expect("start_child with a negative shutdown", co_await dynamic_supervisor::start_child(self, sup, c),
               tuple(atom("error"), tuple(atom("invalid_shutdown"), integer(bad))));
      p.expect("children", co_await dynamic_supervisor::count_children(self, sup),
               list(tuple(atom("specs"), integer(0)), tuple(atom("active"), integer(0)), tuple(atom("supervisors"), integer(0)), tuple(atom("workers"), integer(0))));
      self.exit(sup, atom("shutdown"));
      co_return;
    }
    dynamic_supervisor::Options o;
    Term e;
    if (what == 1) {
      o.max_children = bad;
      e = tuple(atom("invalid_max_children"), integer(bad));
    } else if (what == 2) {
      o.max_restarts = bad;
      e = tuple(atom("invalid_intensity"), integer(bad));
    } else {
      o.max_seconds = bad + 1;
      e = tuple(atom("invalid_period"), integer(bad + 1));
    }
    StartResult r = co_await dynamic_supervisor::start_link(self, o);
    p.expect("start_link", r.to_term(), tuple(atom("error"), tuple(atom("supervisor_data"), e)));
  });
}

// S50: Task.Supervisor.async links the task to its owner before it returns (Elixir's owner
// calls Process.link), so a task whose owner exits at once still runs to its end; Task.shutdown
// of a task whose result was taken already gives {exit,noproc}, and only the owner may await.
void task_owner(Probe& p) {
  int what = static_cast<int>(p.ms("case", 0, 2));
  int64_t d = p.ms("task_ms", 1, 20);
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid tsup = (co_await task_supervisor::start_link(self)).pid;
    Pid me = self.self();
    if (what == 0) {  // the owner returns at once; the task, linked, is not killed by noproc
      Pid owner = self.spawn([tsup, d, me](Process& o) -> Proc {
        o.trap_exit(true);
        co_await task_supervisor::async(o, tsup, [d, me](Process& t) -> Task<Term> {
          co_await t.sleep(d);
          t.send(me, atom("task_done"));
          co_return atom("ok");
        });
      });
      (void)owner;
      auto m = co_await self.receive([](const Message& x) { return x.to_term().is_atom("task_done"); }, d + 100);
      p.expect("the task of an owner that returned at once", m ? m->to_term() : atom("never_finished"), atom("task_done"));
    } else if (what == 1) {  // shutdown after await took the result
      TaskRef t = co_await task_supervisor::async(self, tsup, after(d, atom("v"), false));
      p.expect("await", co_await task::await(self, t, 1000), atom("v"));
      p.expect("shutdown after await", co_await task::shutdown(self, t), tuple(atom("exit"), atom("noproc")));
      p.expect("brutal_kill shutdown after that", co_await task::shutdown(self, t, task::brutal_kill), tuple(atom("exit"), atom("noproc")));
    } else {  // another process awaits: refused at once
      TaskRef t = co_await task_supervisor::async(self, tsup, after(d, atom("v"), false));
      auto [other, om] = self.spawn_monitor([t](Process& q) -> Proc { co_await task::await(q, t, 1000); });
      (void)other;
      int64_t t0 = self.now_ms();
      auto down = co_await self.receive(down_of(om));
      p.expect("a non-owner's await fails at once", self.now_ms() - t0, 0);
      p.expect("its exit reason names the owner rule", down->get<DownMsg>()->reason.to_string().find("must be queried from its owner") != std::string::npos, true);
      p.expect("the owner's await", co_await task::await(self, t, 1000), atom("v"));
    }
    self.exit(tsup, atom("shutdown"));
  });
}

// S50: a task started for an owner that dies before it sends the task its go (killed while its
// async call waited for the busy supervisor) does not wait for good: it monitors its owner
// while it waits, as Elixir 1.14's tasks do, and exits {shutdown, R} (R: noproc, its owner
// already gone when it started); the supervisor is left with no children (measured:
// tools/beam_diff/task_owner_dies_first.exs).
void task_owner_dies_first(Probe& p) {
  bool link = p.chance("async_not_async_nolink");
  int64_t busy = p.ms("supervisor_busy_ms", 2, 40);
  int64_t killed_at = p.ms("owner_killed_at_ms", 1, busy - 1);
  Term why = p.pick("owner_exit", std::vector<Term>{atom("kill"), atom("boom")});
  p.run([&](Process& self) -> Proc {
    Pid tsup = (co_await task_supervisor::start_link(self)).pid;
    auto exited = std::make_shared<std::vector<Pid>>();
    self.node().set_exit_observer([exited](Pid x) { exited->push_back(x); });
    Pid busy_caller = self.spawn([tsup, busy](Process& b) -> Proc {  // keeps the supervisor in a start for `busy` ms
      dynamic_supervisor::ChildSpec slow{.start = [busy](Process& sup, std::vector<Term>) -> Task<StartResult> {
        co_await sup.sleep(busy);
        co_return StartResult::ignore();
      }};
      co_await dynamic_supervisor::start_child(b, tsup, slow);
    });
    co_await self.sleep(1);
    Pid owner = self.spawn([tsup, link](Process& o) -> Proc {
      TaskFn fn = [](Process& t) -> Task<Term> {
        co_await t.sleep(100000);
        co_return atom("late");
      };
      if (link) co_await task_supervisor::async(o, tsup, fn);
      else co_await task_supervisor::async_nolink(o, tsup, fn);
    });
    co_await self.sleep(killed_at - 1);
    self.exit(owner, why);
    co_await self.sleep(busy + 10);
    p.expect("the supervisor's children afterwards", co_await dynamic_supervisor::which_children(self, tsup), Term::list({}));
    self.node().set_exit_observer({});
    // The exit reason of every process that ended but the owner and the busy caller: the task's,
    // if the owner lived long enough to ask for one.
    const std::string want = tuple(atom("shutdown"), atom("noproc")).to_string();
    std::string tasks;
    for (Pid x : *exited)
      if (x != owner && x != busy_caller) tasks += self.node().exit_reason(x).value_or(atom("unknown")).to_string();
    p.expect("the task's exit reason", tasks.empty() ? want : tasks, want);
    self.unlink(tsup);
    self.exit(tsup, atom("shutdown"));
  });
}


// S50: a supervised task monitors its owner only while it waits for its go: it drops that
// monitor, with a flush, before it runs (Elixir 1.14's Task.Supervised), so an async_nolink
// task whose owner ends while it runs finds no DOWN in its mailbox.
void task_forgets_its_owner(Probe& p) {
  int64_t ends = p.ms("owner_ends_at_ms", 1, 20);
  int64_t runs = p.ms("task_ms", ends + 1, ends + 30);
  p.run([&](Process& self) -> Proc {
    Pid tsup = (co_await task_supervisor::start_link(self)).pid;
    Pid me = self.self();
    self.spawn([tsup, me, ends, runs](Process& o) -> Proc {
      co_await task_supervisor::async_nolink(o, tsup, [me, runs](Process& t) -> Task<Term> {
        co_await t.sleep(runs);
        t.send(me, tuple(atom("left"), integer(static_cast<int64_t>(t.mailbox_size()))));
        co_return atom("ok");
      });
      co_await o.sleep(ends);
    });
    auto m = co_await self.receive([](const Message& x) { return x.to_term().is_tuple(2) && x.to_term()[0].is_atom("left"); }, runs + 100);
    p.expect("messages in the task's mailbox after its owner ended", m ? m->to_term()[1] : atom("never_finished"), integer(0));
    self.unlink(tsup);
    self.exit(tsup, atom("shutdown"));
  });
}

// S50: async links (a crashing task takes a non-trapping caller down with its reason);
// async_nolink does not (yield then gives {exit,R}); shutdown unlinks first, so stopping a
// running task gives nil and the caller lives on.
void task_links(Probe& p) {
  int what = static_cast<int>(p.ms("case", 0, 2));
  int64_t d = p.ms("task_ms", 1, 30);
  Term why = p.pick("reason", std::vector<Term>{atom("boom"), tuple(atom("bad"), integer(2))});
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    Pid tsup = (co_await task_supervisor::start_link(self)).pid;
    auto [caller, cm] = self.spawn_monitor([&, parent, tsup](Process& me) -> Proc {
      if (what == 0) {  // async_nolink, crashing
        TaskRef t = co_await task_supervisor::async_nolink(me, tsup, after(d, why, true));
        me.send(parent, co_await task::yield(me, t, 1000));
      } else if (what == 1) {  // Task.async, then shutdown while it runs
        TaskRef t = task::async(me, after(1000, atom("late"), false));
        co_await me.sleep(d);
        me.send(parent, co_await task::shutdown(me, t));
        co_await me.sleep(10);
      } else {  // Task.async, crashing
        task::async(me, after(d, why, true));
        co_await me.sleep(1000);
        me.send(parent, atom("outlived_its_task"));
      }
    });
    auto down = co_await self.receive(down_of(cm));
    Term reason = down->get<DownMsg>()->reason;
    if (what == 2) {
      p.expect("the caller's exit reason", reason, why);
    } else {
      p.expect("the caller's exit reason", reason, atom("normal"));
      auto r = co_await self.receive_any(0);
      p.expect(what == 0 ? "yield" : "shutdown", r ? r->to_term() : atom("none"), what == 0 ? tuple(atom("exit"), why) : atom("nil"));
    }
    self.unlink(tsup);
    self.exit(tsup, atom("kill"));
  });
}

// S50: Task.Supervisor.start_child honours restart: a transient task that crashes runs again.
// A task from Task.Supervisor.async / async_nolink is always temporary: once it has crashed
// the supervisor has no child left.
void task_restart(Probe& p) {
  bool transient = p.chance("transient");
  bool linked = p.chance("and_an_async_task_linked");
  int64_t runs = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid tsup = (co_await task_supervisor::start_link(self)).pid;
    co_await task_supervisor::start_child(self, tsup, [&runs](Process&) -> Task<Term> {
      if (++runs == 1) throw Exit(atom("boom"));
      co_return atom("ok");
    }, transient ? Restart::transient : Restart::temporary);
    co_await self.sleep(10);
    p.expect("runs", runs, transient ? 2 : 1);
    TaskFn crashes = after(1, atom("bang"), true);
    TaskRef t = linked ? co_await task_supervisor::async(self, tsup, crashes) : co_await task_supervisor::async_nolink(self, tsup, crashes);
    p.expect("the crashed async task", co_await task::yield(self, t, 1000), tuple(atom("exit"), atom("bang")));
    co_await self.sleep(10);
    p.expect("children left", (co_await dynamic_supervisor::count_children(self, tsup)).items()[0], tuple(atom("specs"), integer(0)));
    self.exit(tsup, atom("shutdown"));
  });
}

// S50: await_many gives the results in order, or exits {timeout | R, {Task, await_many,
// [Tasks, T]}} as soon as the deadline passes or any task exits, whichever task it is; after
// such an exit (caught), the other tasks' replies and DOWNs never reach the caller, though the
// tasks run on (measured on Elixir 1.14).
void await_many(Probe& p) {
  auto n = static_cast<size_t>(p.ms("tasks", 1, 3));
  auto crash = static_cast<size_t>(p.ms("crashing_task_or_none", 0, 3));
  auto late = static_cast<size_t>(p.ms("task_outlasting_the_timeout_or_none", 0, 3));
  int64_t t = p.ms("timeout_ms", 12, 100);  // after every task but a late one (they end by 10 ms)
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<TaskRef> tasks;
    std::vector<Term> all, values;
    for (size_t i = 0; i < n; ++i) {
      bool exits = i == crash;
      int64_t ms = i == late ? t + 50 : static_cast<int64_t>(1 + 3 * (n - i));  // the first ones end last
      tasks.push_back(task::async(self, after(ms, exits ? atom("boom") : integer(static_cast<int64_t>(i)), exits)));
      all.push_back(tasks.back().to_term());
      values.push_back(integer(static_cast<int64_t>(i)));
    }
    Term got;
    try {
      got = Term::list(co_await task::await_many(self, tasks, t));
    } catch (const Exit& e) {
      got = e.reason();
    }
    Term how = crash < n && crash != late ? atom("boom") : late < n ? atom("timeout") : atom("undefined");
    Term want = how.is_atom("undefined") ? Term::list(values)
                                         : tuple(how, tuple(atom("Elixir.Task"), atom("await_many"), list(Term::list(all), integer(t))));
    p.expect("await_many", got, want);
    co_await self.sleep(t + 60);  // every task has ended
    std::string left;
    while (auto m = co_await self.receive_any(0))
      if (!m->is<ExitMsg>()) left += " " + m->to_term().to_string();  // the linked tasks' EXITs: trapped
    p.expect("messages left after await_many", left, std::string());
  });
}

// S50: Task.shutdown(t, T) of a task that traps exits and does not stop on the shutdown signal
// kills it at T and answers {exit, killed} (only :brutal_kill answers nil for a kill), or the
// reply if the task managed one first (measured on Elixir 1.14).
void task_shutdown_timeout(Probe& p) {
  int64_t t = p.ms("shutdown_timeout_ms", 1, 30);
  bool replies = p.chance("replies_before_the_timeout");
  Term got;
  int64_t took = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid owner = self.self();
    TaskRef task = task::async(self, [t, replies, owner](Process& me) -> Task<Term> {
      me.trap_exit(true);  // the shutdown signal is a message now: it does not stop the task
      me.send(owner, atom("trapping"));
      co_await me.sleep(replies ? t / 2 : 10 * t + 10);
      co_return atom("done");
    });
    co_await self.receive([](const Message& m) { return m.to_term().is_atom("trapping"); });
    int64_t before = self.now_ms();
    got = co_await task::shutdown(self, task, t);
    took = self.now_ms() - before;
  });
  if (replies) {
    p.expect("Task.shutdown after the reply came", got, tuple(atom("ok"), atom("done")));
  } else {
    p.expect("Task.shutdown that had to kill", got, tuple(atom("exit"), atom("killed")));
    p.expect("when it killed (ms)", took, t);
  }
}

// S60: Registry.dispatch calls the function with the key's entries, and not at all without any.
void registry_dispatch(Probe& p) {
  bool duplicate = p.chance("duplicate_keys");
  auto owners = static_cast<int>(p.ms("owners", 0, duplicate ? 3 : 1));
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    co_await registry::start_link(self, {.name = "reg", .keys = duplicate ? registry::Keys::duplicate : registry::Keys::unique});
    std::vector<Pid> held;
    for (int i = 0; i < owners; ++i) {
      Pid parent = self.self();
      held.push_back(self.spawn([parent, i](Process& me) -> Proc {
        co_await registry::register_key(me, "reg", atom("k"), integer(i));
        me.send(parent, atom("registered"));
        co_await me.receive_any();
      }));
      co_await self.receive([](const Message& m) { return m.to_term().is_atom("registered"); });
    }
    int calls = 0;
    size_t entries = 0;
    co_await registry::dispatch(self, "reg", atom("k"), [&](const registry::Entries& e) {
      ++calls;
      entries = e.size();
    });
    p.expect("dispatch calls", static_cast<int64_t>(calls), owners > 0 ? 1 : 0);
    p.expect("entries given", static_cast<int64_t>(entries), owners);
    for (Pid h : held) self.exit(h, atom("kill"));
  });
}

// S60: a process's entries go when it exits, however it ends, and all of them: the keys it
// still holds after unregistering one (or a key it never held) are freed too, and count,
// lookup and keys then show none of them; another process's entry under the same key (a
// duplicate registry) stays. While it lives, unregister removes only that key.
void registry_owner_exit(Probe& p) {
  bool duplicate = p.chance("duplicate_keys");
  auto n = static_cast<int>(p.ms("keys", 2, 4));
  bool held = p.chance("unregisters_a_key_it_holds");
  Term reason = p.pick("ends", std::vector<Term>{atom("normal"), atom("kill"), atom("boom")});
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    co_await registry::start_link(self, {.name = "reg", .keys = duplicate ? registry::Keys::duplicate : registry::Keys::unique});
    Pid parent = self.self();
    auto [owner, m] = self.spawn_monitor([parent, n, held](Process& me) -> Proc {
      for (int i = 0; i < n; ++i) co_await registry::register_key(me, "reg", integer(i), atom("v"));
      co_await registry::unregister(me, "reg", integer(held ? 0 : n));
      me.send(parent, atom("registered"));
      Message end = *co_await me.receive_any();
      if (!end.to_term().is_atom("normal")) throw Exit(end.to_term());
    });
    co_await self.receive([](const Message& x) { return x.to_term().is_atom("registered"); });
    if (duplicate) co_await registry::register_key(self, "reg", integer(1), atom("mine"));
    int64_t left = held ? n - 1 : n, mine = duplicate ? 1 : 0;
    p.expect("count while the owner lives", co_await registry::count(self, "reg"), left + mine);
    p.expect("its keys while it lives", static_cast<int64_t>((co_await registry::keys(self, "reg", owner)).size()), left);
    if (reason.is_atom("kill")) self.exit(owner, reason);
    else self.send(owner, reason);
    co_await self.receive(down_of(m));
    co_await self.sleep(1);  // settled: the registry has taken the owner's EXIT
    p.expect("count after the owner exited", co_await registry::count(self, "reg"), mine);
    for (int i = 0; i < n; ++i)
      p.expect("lookup after the owner exited", static_cast<int64_t>((co_await registry::lookup(self, "reg", integer(i))).size()),
               i == 1 ? mine : 0);
    p.expect("its keys after it exited", static_cast<int64_t>((co_await registry::keys(self, "reg", owner)).size()), int64_t{0});
  });
}

// S60: a unique key whose holder has died is free at once, even before the registry has
// processed the holder's EXIT: a register then gives {ok, _} and a lookup exactly the new
// holder (the stale entry replaced, not kept beside it). Registering right after sending the
// kill (not waiting for the DOWN) takes the key too, and whereis_name is undefined, as Elixir's
// register and whereis_name ask Process.alive? in the caller, behind its own exit signal
// (tools/beam_diff/registry_kill_then_register.exs: 2,000 of 2,000 each). Once the holder is
// dead, a GenServer started by the name starts.
void registry_stale_holder(Probe& p) {
  bool kill = p.chance("holder_killed");
  bool wait_down = p.chance("wait_for_the_down");
  bool by_server = p.chance("the_new_holder_is_a_gen_server_started_by_the_name");
  bool whereis_first = !wait_down && p.chance("whereis_name_right_after_the_kill");
  std::string bad;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    co_await registry::start_link(self, {.name = "reg"});
    Pid parent = self.self();
    for (int round = 0; round < 8 && bad.empty(); ++round) {  // the race is narrow: several tries a case
      Term key = tuple(atom("k"), integer(round));
      auto [old, m] = self.spawn_monitor([parent, key](Process& me) -> Proc {
        co_await registry::register_key(me, "reg", key, atom("old"));
        me.send(parent, atom("registered"));
        co_await me.receive_any();
      });
      co_await self.receive([](const Message& x) { return x.to_term().is_atom("registered"); });
      self.exit(old, kill ? atom("kill") : atom("boom"));
      if (wait_down) {
        co_await self.receive(down_of(m));
        // The holder is dead, whether or not the registry has taken its EXIT yet: whereis_name
        // says undefined, and a GenServer started by that name starts (Elixir 1.14, measured
        // with the registry's partition suspended).
        if (Pid w = co_await registry::whereis_name(self, "reg", key)) bad = "whereis_name of a dead holder: " + Term(w).to_string();
        if (by_server && bad.empty()) {
          StartResult st = co_await gen_server::start(self, [] { return std::make_unique<GenServer>(); },
                                                      {.name = Name{.via_registry = "reg", .key = key}});
          if (st.kind != StartResult::Kind::ok) bad = "GenServer.start by a dead holder's name: " + st.to_term().to_string();
          else self.exit(st.pid, atom("kill"));
          continue;
        }
      }
      if (whereis_first)
        if (Pid w = co_await registry::whereis_name(self, "reg", key)) bad = "whereis_name right after killing the holder: " + Term(w).to_string();
      auto r = co_await registry::register_key(self, "reg", key, atom("new"));
      std::string got;
      for (const auto& [pid, v] : co_await registry::lookup(self, "reg", key)) got += Term(pid).to_string() + ":" + v.to_string() + " ";
      std::string new_s = Term(self.self()).to_string() + ":new ";
      bool ok = r.term[0].is_atom("ok");
      if (!ok) bad = std::string(wait_down ? "register after the holder's DOWN: " : "register right after killing the holder: ") + r.term.to_string();
      else if (got != new_s) bad = "lookup after the register: " + got;
      if (!wait_down) co_await self.receive(down_of(m));
    }
  });
  p.expect("a unique key after its holder died", bad, std::string());
}

// S60: a dead holder whose unique key another process took over still lists that key in
// Registry.keys until the registry takes its EXIT (Elixir deletes only the stale entry from the
// key table; the holder's own record goes with its other entries): right after the takeover,
// keys of the dead holder are [Other, K] (newest first) and its keys hold 2 entries, or, once the
// EXIT is taken, [] and 1 (tools/beam_diff/registry_keys_after_takeover.exs, the partition
// suspended: [other, k] and 2, then [] and 1, 5 of 5).
void registry_keys_of_a_replaced_holder(Probe& p) {
  bool kill = p.chance("holder_killed");
  int64_t wait = p.ms("wait_before_asking_ms", 0, 2);
  std::string bad;
  p.run([&](Process& self) -> Proc {
    co_await registry::start_link(self, {.name = "reg"});
    Pid parent = self.self();
    for (int round = 0; round < 20 && bad.empty(); ++round) {  // the window is narrow: many tries a case
      Term k = tuple(atom("k"), integer(round)), other = tuple(atom("other"), integer(round));
      Pid old = self.spawn([parent, k, other](Process& me) -> Proc {
        co_await registry::register_key(me, "reg", k, atom("old"));
        co_await registry::register_key(me, "reg", other, atom("old"));
        me.send(parent, atom("registered"));
        co_await me.receive_any();
      });
      co_await self.receive([](const Message& x) { return x.to_term().is_atom("registered"); });
      int64_t before = co_await registry::count(self, "reg");
      self.exit(old, kill ? atom("kill") : atom("boom"));
      auto r = co_await registry::register_key(self, "reg", k, atom("new"));
      if (!r.is_ok()) bad = "register right after killing the holder: " + r.term.to_string();
      if (wait > 0) co_await self.sleep(wait);
      Term keys = Term::list(co_await registry::keys(self, "reg", old));
      int64_t n = co_await registry::count(self, "reg") - (before - 2);  // entries under k and other
      if (bad.empty() && keys != list(other, k) && keys != list()) bad = "keys of the replaced holder: " + keys.to_string();
      if (bad.empty() && n != 2 && n != 1) bad = "entries under its keys after the takeover: " + std::to_string(n);
      co_await registry::unregister(self, "reg", k);
      co_await self.sleep(1);
    }
  });
  p.expect("keys and count after a takeover", bad, std::string());
}

// S60 (Elixir 1.14, measured): Registry.keys lists a process's keys newest first; Registry.send
// delivers to a unique key's holder, and for a key nobody holds raises badarg in the caller.
void registry_send_and_keys(Probe& p) {
  auto n = static_cast<int>(p.ms("keys", 1, 5));
  uint64_t order_seed = static_cast<uint64_t>(p.ms("order_seed", 0, 1000));
  bool held = p.chance("send_to_a_held_key");
  p.run([&](Process& self) -> Proc {
    co_await registry::start_link(self, {.name = "reg"});
    std::vector<int> order;
    for (int i = 0; i < n; ++i) order.push_back(i);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(order_seed));  // the order registered
    std::vector<Term> newest_first;
    for (int i : order) {
      co_await registry::register_key(self, "reg", integer(i), atom("v"));
      newest_first.insert(newest_first.begin(), integer(i));
    }
    p.expect("keys, newest first", Term::list(co_await registry::keys(self, "reg", self.self())), Term::list(newest_first));
    Term got = atom("nothing");
    try {
      co_await registry::send(self, "reg", integer(held ? order.front() : n), Message(atom("hello")));
      auto m = co_await self.receive([](const Message& x) { return x.to_term().is_atom("hello"); }, 0);
      got = m ? atom("delivered") : atom("lost");
    } catch (const Exit& e) {
      got = e.reason();
    }
    p.expect("Registry.send", got, held ? atom("delivered") : atom("badarg"));
  });
}

// S60: a registry name nobody holds is an error in the caller (Elixir: ArgumentError "unknown
// registry"), for every function and for a GenServer named or called through it; a cast through
// it is a no-op (GenServer.cast returns ok whatever the destination).
void registry_unknown(Probe& p) {
  const std::string op = p.pick("op", std::vector<std::string>{"register", "unregister", "lookup", "keys", "count", "dispatch",
                                                                "whereis_name", "gen_server_start", "gen_server_call", "send"});
  bool started_other = p.chance("another_registry_exists");
  std::string error;
  bool after = false;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    if (started_other) co_await registry::start_link(self, {.name = "reg"});
    Name via{.via_registry = "nope", .key = atom("k")};
    try {
      if (op == "register") co_await registry::register_key(self, "nope", atom("k"), atom("v"));
      if (op == "unregister") co_await registry::unregister(self, "nope", atom("k"));
      if (op == "lookup") co_await registry::lookup(self, "nope", atom("k"));
      if (op == "keys") co_await registry::keys(self, "nope", self.self());
      if (op == "count") co_await registry::count(self, "nope");
      if (op == "dispatch") co_await registry::dispatch(self, "nope", atom("k"), [](const registry::Entries&) {});
      if (op == "whereis_name") co_await registry::whereis_name(self, "nope", atom("k"));
      if (op == "gen_server_start")
        co_await gen_server::start(self, [] { return std::make_unique<GenServer>(); }, {.name = via});
      if (op == "gen_server_call") co_await gen_server::call(self, via, Message(atom("ping")), 100);
      if (op == "send") co_await registry::send(self, "nope", atom("k"), Message(atom("x")));
      after = true;
    } catch (const UsageError& e) {
      error = e.what();
    }
    gen_server::cast(self, via, Message(atom("x")));
    p.expect("processes left but the registry", static_cast<int64_t>(self.node().live_count()), started_other ? 2 : 1);
  });
  p.expect("the call returned", after, false);
  p.expect("the error", error, std::string("unknown registry: nope"));
}

// S50: once Task.yield has the reply, or Task.await gave up at its timeout (the exit caught),
// the task's monitor is gone with any DOWN already sent (demonitor with flush) and with it the
// alias the task replies to: nothing of the task, neither a DOWN nor a late reply, is left in
// the caller's mailbox when it ends later (measured on Elixir 1.14).
void task_leaves_no_down(Probe& p) {
  bool yield = p.chance("yield_not_await");
  int64_t d = p.ms("task_ms", 2, 30);
  std::string first;
  std::string left;
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    auto [caller, cm] = self.spawn_monitor([&, parent](Process& me) -> Proc {
      TaskRef t = task::async(me, after(d, atom("done"), false));
      if (yield) {
        first = (co_await task::yield(me, t, d + 10)).to_string();
      } else {
        try {
          co_await task::await(me, t, d - 1);
          first = "returned";
        } catch (const Exit& e) {
          first = e.reason()[0].to_string();
        }
      }
      co_await me.sleep(d + 10);  // the task has ended by now
      while (auto m = co_await me.receive_any(0)) left += " " + m->to_term().to_string();
      (void)parent;
    });
    co_await self.receive(down_of(cm));
  });
  p.expect(yield ? "yield" : "await", first, yield ? std::string("{ok,done}") : std::string("timeout"));
  p.expect("messages left", left, std::string());
}

// S70: an application cannot start twice ({error,{already_started,App}}), stopping one that
// is not started is {error,{not_started,App}}, and an application whose top supervisor gave up
// is no longer running but still started (OTP 25's application_controller): it starts again
// as it is, or its first stop answers ok and a second not_started.
void application_errors(Probe& p) {
  bool escalate = p.chance("top_supervisor_gives_up");
  bool stop_after = escalate && p.chance("stop_after_it_gave_up");
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    application::Spec spec{.name = "app", .env = {},
                           .start = [&l](Process& s) -> Task<StartResult> {
                             co_return co_await supervisor::start_link(s, {.max_restarts = 0}, {lab::spec(l, "w")});
                           }};
    p.expect("stop before any start", co_await application::stop(self, "app"),
             tuple(atom("error"), tuple(atom("not_started"), atom("app"))));
    Term started = co_await application::start(self, spec);
    p.expect("start", started.is_tuple(2) && started[0].is_atom("ok"), true);
    p.expect("a second start", co_await application::start(self, spec), tuple(atom("error"), tuple(atom("already_started"), atom("app"))));
    if (escalate) {
      Pid sup = (co_await application::get_supervisor(self, "app"))[1].pid();
      co_await lab::crash(self, sup, "w", atom("boom"));
      co_await self.sleep(5);
      p.expect("the top supervisor after it gave up", self.node().alive(sup), false);
      p.expect("get_supervisor after it gave up", co_await application::get_supervisor(self, "app"), atom("undefined"));
      if (stop_after) {
        p.expect("stop after it gave up", co_await application::stop(self, "app"), atom("ok"));
        p.expect("a second stop after it gave up", co_await application::stop(self, "app"),
                 tuple(atom("error"), tuple(atom("not_started"), atom("app"))));
      }
      Term again = co_await application::start(self, spec);
      p.expect("start again", again.is_tuple(2) && again[0].is_atom("ok"), true);
    }
    p.expect("stop", co_await application::stop(self, "app"), atom("ok"));
    p.expect("stop again", co_await application::stop(self, "app"), tuple(atom("error"), tuple(atom("not_started"), atom("app"))));
  });
}

// S70: a stop while the application is ending on its own (its top supervisor just killed) still
// answers ok and returns once the application is gone: a start right after it succeeds
// (measured on OTP 25: ok then ok, 2,000 of 2,000; tools/beam_diff/application_stop_start.erl).
void application_stop_while_ending(Probe& p) {
  bool kill_top = p.chance("top_supervisor_killed_first");
  int64_t rounds = p.ms("rounds", 1, 3);
  p.run([&](Process& self) -> Proc {
    application::Spec spec{.name = "app", .env = {},
                           .start = [](Process& s) -> Task<StartResult> { co_return co_await supervisor::start_link(s, {}, {}); }};
    for (int64_t i = 0; i < rounds; ++i) {
      Term started = co_await application::start(self, spec);
      p.expect("start " + std::to_string(i), started.is_tuple(2) && started[0].is_atom("ok"), true);
      if (kill_top) {
        self.exit((co_await application::get_supervisor(self, "app"))[1].pid(), atom("kill"));
        // Asked as it ends: its supervisor (the reply came first) or undefined, never an exit.
        Term sup = co_await application::get_supervisor(self, "app");
        p.expect("get_supervisor as it ends", sup.is_atom("undefined") || (sup.is_tuple(2) && sup[1].is_pid()), true);
      }
      p.expect("stop " + std::to_string(i), co_await application::stop(self, "app"), atom("ok"));
    }
    Term again = co_await application::start(self, spec);
    p.expect("a start right after the stop", again.is_tuple(2) && again[0].is_atom("ok"), true);
    co_await application::stop(self, "app");
  });
}

// S80: a run (or an async job) that timed out while its job was still queued leaves nothing
// behind: the job never runs (it is cancelled), and the jobs behind it run in order.
void pool_timeout_cancels(Probe& p) {
  int64_t busy = p.ms("busy_ms", 5, 30);
  bool by_async = p.chance("async");
  int64_t timeout = p.ms("timeout_ms", 1, busy - (by_async ? 2 : 1));
  std::string ran;
  Term first, second;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = 1})).pid;
    pool::Submitted hog = pool::submit(self, "pl", [&ran, busy](Process& w) -> Task<Term> {
      co_await w.sleep(busy);
      ran += " hog";
      co_return atom("hog");
    });
    pool::Job late = [&ran](Process&) -> Task<Term> {
      ran += " late";
      co_return atom("late");
    };
    if (by_async) {
      co_await self.sleep(1);  // the hog runs: the job below comes through another process, unordered with ours
      pool::async(self, "pl", late, timeout);
      auto m = co_await self.receive([](const Message& x) { return x.to_term().is_tuple(2) && x.to_term()[0].is_atom("task_result"); });
      first = m->to_term()[1];
    } else {
      first = co_await pool::run(self, "pl", late, timeout);
    }
    second = co_await pool::run(self, "pl", [&ran](Process&) -> Task<Term> {
      ran += " next";
      co_return atom("next");
    }, 10'000);
    co_await pool::await(self, hog, 10'000);
    co_await self.sleep(busy);
    self.exit(pool, atom("shutdown"));
  });
  p.expect("the timed-out run", first, tuple(atom("error"), atom("timeout")));
  p.expect("the next run", second, tuple(atom("ok"), atom("next")));
  p.expect("what ran", ran, std::string(" hog next"));
}

// S60: a via name needs a unique-key registry: on a duplicate-key one, starting, calling or
// looking up a GenServer through it is an error in the caller (Elixir: ArgumentError ":via is
// not supported for duplicate registries").
void registry_via_duplicate(Probe& p) {
  const std::string op = p.pick("op", std::vector<std::string>{"gen_server_start", "gen_server_call", "whereis_name"});
  std::string error;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    co_await registry::start_link(self, {.name = "dup", .keys = registry::Keys::duplicate});
    Name via{.via_registry = "dup", .key = atom("k")};
    try {
      if (op == "gen_server_start") co_await gen_server::start(self, [] { return std::make_unique<GenServer>(); }, {.name = via});
      if (op == "gen_server_call") co_await gen_server::call(self, via, Message(atom("ping")), 100);
      if (op == "whereis_name") co_await registry::whereis_name(self, "dup", atom("k"));
    } catch (const UsageError& e) {
      error = e.what();
    }
    p.expect("processes left but the registry", static_cast<int64_t>(self.node().live_count()), 2);
  });
  p.expect("the error", error, std::string(":via is not supported for duplicate registries"));
}

// S70: the env is the spec's defaults (replacing what put_env set before the first start: OTP
// loads the app then, measured) with the start overrides on top; get_env falls back to
// its default, fetch_env gives error; stop returns once the tree has shut down in order.
void application_env_and_stop(Probe& p) {
  bool override_b = p.chance("override_b");
  bool add_c = p.chance("add_c");
  bool put_before = p.chance("put_env_before_the_first_start");
  int64_t slow = p.ms("worker_terminate_ms", 0, 50);
  lab::Lab l;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    application::Spec spec{.name = "app", .env = {{"a", integer(1)}, {"b", integer(2)}},
                           .start = [&l, slow](Process& s) -> Task<StartResult> {
                             co_return co_await supervisor::start_link(s, {}, {lab::spec(l, "w", {.stop_delay_ms = slow})});
                           }};
    if (put_before) {  // the first start loads the app: its defaults replace these, other keys stay
      application::put_env(self, "app", "a", integer(100));
      application::put_env(self, "app", "d", integer(40));
    }
    std::map<std::string, Term> over;
    if (override_b) over["b"] = integer(20);
    if (add_c) over["c"] = integer(30);
    Term started = co_await application::start(self, spec, over);
    p.expect("start", started.is_tuple(2) && started[0].is_atom("ok"), true);
    p.expect("get_env a", application::get_env(self, "app", "a", atom("none")), integer(1));
    p.expect("get_env b", application::get_env(self, "app", "b", atom("none")), integer(override_b ? 20 : 2));
    p.expect("get_env c", application::get_env(self, "app", "c", atom("none")), add_c ? integer(30) : atom("none"));
    p.expect("fetch_env of a missing key", application::fetch_env(self, "app", "zz"), atom("error"));
    p.expect("get_env d (no default, put before the first start)", application::get_env(self, "app", "d", atom("none")),
             put_before ? integer(40) : atom("none"));
    Term top = co_await application::get_supervisor(self, "app");
    Pid sup = top[1].pid();
    Pid w = co_await lab::child_pid(self, sup, "w");
    p.expect("stop", co_await application::stop(self, "app"), atom("ok"));
    p.expect("the top supervisor alive after stop", self.node().alive(sup), false);
    p.expect("the worker alive after stop", self.node().alive(w), false);
    p.expect("the worker's terminate ran with shutdown", l.joined().find("stop:w:shutdown") != std::string::npos, true);
  });
}

// S70: the env stays loaded across stop and start (put_env kept); a start function that
// returns ignore or raises is a bad_return, one that fails gives {R, {App, start, [normal, []]}},
// and a failed start leaves the application not started: stop gives {error,{not_started,App}}.
void application_restart_and_failures(Probe& p) {
  int what = static_cast<int>(p.ms("start_fails_by", 0, 3));
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    int mode = 0;
    application::Spec spec{.name = "shop", .env = {{"size", integer(1)}},
                           .start = [&mode](Process& s) -> Task<StartResult> {
                             if (mode == 1) co_return StartResult::error(atom("boom"));
                             if (mode == 2) co_return StartResult::ignore();
                             if (mode == 3) throw Exit(atom("crash_in_start"));
                             co_return co_await supervisor::start_link(s, {}, {});
                           }};
    Term mfa = tuple(atom("shop"), atom("start"), list(atom("normal"), list()));
    if (what > 0) {
      mode = what;
      Term r = co_await application::start(self, spec);
      Term want = what == 1 ? tuple(atom("error"), tuple(atom("boom"), mfa))
                            : tuple(atom("error"), tuple(atom("bad_return"), tuple(mfa, what == 2 ? atom("ignore") : tuple(atom("EXIT"), atom("crash_in_start")))));
      p.expect("a failing start", r, want);
      p.expect("stop after the failing start", co_await application::stop(self, "shop"), tuple(atom("error"), tuple(atom("not_started"), atom("shop"))));
      mode = 0;
    }
    co_await application::start(self, spec);
    application::put_env(self, "shop", "size", integer(7));
    co_await application::stop(self, "shop");
    co_await application::start(self, spec);
    p.expect("size after put_env, stop and start", application::get_env(self, "shop", "size", atom("none")), integer(7));
    co_await application::stop(self, "shop");
  });
}

// S10 S80 (supervisor:start_link({local, Name}, ...) twice, measured on OTP 25:
// tools/beam_diff/start_twice.erl): a second start of a pool of a name that runs returns
// {error, {already_started, Pid}}, Pid the running pool's supervisor; the caller, trapping or
// not, lives on and gets no EXIT; the first pool serves on with its own workers; once it has
// stopped, the name is free for a new pool.
void pool_start_twice(Probe& p) {
  bool trap = p.chance("caller_traps");
  int64_t size = p.ms("first_size", 1, 3);
  int64_t second_size = p.ms("second_size", 1, 3);
  int64_t gap = p.ms("second_start_after_ms", 0, 5);
  p.run([&](Process& self) -> Proc {
    self.trap_exit(trap);
    Pid first = (co_await pool::start_link(self, {.name = "pl", .size = static_cast<int>(size)})).pid;
    co_await self.sleep(gap);
    StartResult again = co_await pool::start_link(self, {.name = "pl", .size = static_cast<int>(second_size)});
    p.expect("the second start", again.to_term(), tuple(atom("error"), tuple(atom("already_started"), first)));
    p.expect("the first pool alive", self.node().alive(first), true);
    p.expect("a job on the first pool", co_await pool::run(self, "pl", [](Process&) -> Task<Term> { co_return atom("done"); }, 5000),
             tuple(atom("ok"), atom("done")));
    p.expect("the first pool's status", co_await pool::status(self, "pl"),
             Term::list({tuple(atom("available"), integer(size)), tuple(atom("busy"), integer(0)), tuple(atom("pending"), integer(0)),
                         tuple(atom("workers"), integer(size))}));
    if (trap) {
      auto e = co_await self.receive([](const Message& m) { return m.is<ExitMsg>(); }, 0);
      p.expect("an EXIT from the second start", e.has_value(), false);
    }
    self.unlink(first);
    Ref m = self.monitor(first);
    self.exit(first, atom("shutdown"));
    co_await self.receive(down_of(m));
    StartResult third = co_await pool::start_link(self, {.name = "pl", .size = 1});
    p.expect("a start once the first pool stopped", third.is_ok(), true);
    self.unlink(third.pid);
    self.exit(third.pid, atom("shutdown"));
  });
}

// S80: a job is run max_attempts times at most when its worker crashes, then fails naming
// the crash.
void pool_attempts(Probe& p) {
  int attempts = static_cast<int>(p.ms("max_attempts", 1, 3));
  int64_t runs = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = 2, .max_attempts = attempts})).pid;
    Term r = co_await pool::run(self, "pl", [&runs](Process&) -> Task<Term> {
      ++runs;
      throw Exit(atom("boom"));
      co_return atom("unreachable");
    }, 5000);
    p.expect("the job's outcome", r, tuple(atom("error"), tuple(atom("worker_crashed"), atom("boom"))));
    p.expect("runs", runs, attempts);
    self.exit(pool, atom("shutdown"));
  });
}

// S80: a job whose result was sent before its dispatcher died gives {ok, V}, even when another
// await took that dispatcher's DOWN first (S5: the result came before the DOWN, so it is in
// the mailbox); the job still running when the dispatcher was killed gives
// {error, {dispatcher_down, killed}}.
void pool_result_before_down(Probe& p) {
  int64_t quick = p.ms("quick_job_ms", 0, 5);
  int64_t killed_at = p.ms("dispatcher_killed_at_ms", quick + 1, quick + 10);
  std::string outcomes;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = 2})).pid;
    pool::Submitted slow = pool::submit(self, "pl", [](Process& w) -> Task<Term> {
      co_await w.sleep(100'000);
      co_return atom("slow");
    });
    pool::Submitted fast = pool::submit(self, "pl", [quick](Process& w) -> Task<Term> {
      co_await w.sleep(quick);
      co_return atom("fast");
    });
    co_await self.sleep(killed_at);
    self.exit(self.whereis(pool::dispatcher_name("pl")), atom("kill"));
    outcomes += (co_await pool::await(self, slow, 10'000)).to_string() + " ";
    outcomes += (co_await pool::await(self, fast, 10'000)).to_string();
    self.exit(pool, atom("shutdown"));
  });
  p.expect("the outcomes", outcomes, "{error,{dispatcher_down,killed}} {ok,fast}");
}

// S80: a submit after the pool's dispatcher was replaced goes to the new one, even while a job
// submitted to the old one is still awaited (that one's outcome is {error, {dispatcher_down, R}};
// the new job runs and gives {ok, V}).
void pool_submit_after_restart(Probe& p) {
  int64_t busy = p.ms("first_job_ms", 5, 40);
  int64_t gap = p.ms("second_submit_after_ms", 1, 3);
  std::string outcomes;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = 1})).pid;
    pool::Submitted first = pool::submit(self, "pl", [busy](Process& w) -> Task<Term> {
      co_await w.sleep(busy);
      co_return atom("first");
    });
    co_await self.sleep(1);
    Pid old = self.whereis(pool::dispatcher_name("pl"));
    self.exit(old, atom("kill"));
    for (;;) {  // until the pool has a new dispatcher
      co_await self.sleep(gap);
      if (Pid d = self.whereis(pool::dispatcher_name("pl")); d && d != old) break;
    }
    pool::Submitted second = pool::submit(self, "pl", [](Process&) -> Task<Term> { co_return atom("second"); });
    outcomes += (co_await pool::await(self, first, 10'000)).to_string() + " ";
    outcomes += (co_await pool::await(self, second, 10'000)).to_string();
    self.exit(pool, atom("shutdown"));
  });
  p.expect("the outcomes", outcomes, "{error,{dispatcher_down,killed}} {ok,second}");
}

// S80: the dispatcher never hands a job to a dead worker: idle workers killed before the jobs
// come (their restarts may still be on the way) cost nothing but a retry, so every job ends
// {ok, V}. A job sent to a worker whose DOWN is still in flight is retried; max_attempts covers
// one such miss per killed worker.
void pool_dead_workers(Probe& p) {
  auto size = static_cast<int>(p.ms("size", 1, 3));
  auto killed = static_cast<int>(p.ms("killed", 1, size));
  int64_t wait = p.ms("wait_ms", 0, 3);
  auto jobs = static_cast<int>(p.ms("jobs", 1, 4));
  std::string outcomes;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = size, .max_attempts = killed + 1})).pid;
    for (int i = 1; i <= killed; ++i) {
      auto holder = co_await registry::lookup(self, pool::registry_name("pl"), tuple(atom("worker"), integer(i)));
      if (!holder.empty()) self.exit(holder[0].first, atom("kill"));
    }
    co_await self.sleep(wait);
    std::vector<pool::Submitted> sent;
    for (int j = 0; j < jobs; ++j)
      sent.push_back(pool::submit(self, "pl", [j](Process& w) -> Task<Term> {
        co_await w.sleep(1);
        co_return integer(j);
      }));
    for (auto& s : sent) outcomes += " " + (co_await pool::await(self, s, 10'000)).to_string();
    self.exit(pool, atom("shutdown"));
  });
  std::string want;
  for (int j = 0; j < jobs; ++j) want += " {ok," + std::to_string(j) + "}";
  p.expect("the outcomes", outcomes, want);
}

// S80: a restarted worker's registration may overtake its old self's DOWN (they come from
// different pids: S5 orders nothing between them). From then on the old worker is dead to the
// dispatcher: status counts it nowhere (workers, busy, available), no job is handed to it, and
// the job it was running, if any, waits for its DOWN to be retried or to fail
// {worker_crashed, R}. The schedules where the registration wins are rare, so the probe plays
// both workers itself, in that order: worker 0 registers (and takes a job when `old_busy`),
// its replacement registers and only then is the old one killed.
void pool_replaced_before_down(Probe& p) {
  bool old_busy = p.chance("old_worker_busy");
  auto attempts = static_cast<int>(p.ms("max_attempts", 1, 2));
  auto jobs = static_cast<int>(p.ms("jobs_after_the_replacement", 1, 3));
  std::string got_by_old, statuses, outcomes;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    pool::Options o{.name = "pl", .size = 1, .max_attempts = attempts};
    Pid d = (co_await gen_server::start_link(self, [o]() -> std::unique_ptr<GenServer> { return std::make_unique<pool::Dispatcher>(o); },
                                             gen_server::StartOptions{.name = {.local = pool::dispatcher_name("pl")}}))
                .pid;
    Pid probe = self.self();
    // A worker of id 0 as the pool's own is: it registers, then runs each job cast to it
    // (the old one keeps its jobs and tells the probe; the new one answers at once).
    auto worker = [d, probe](bool old) {
      return [d, probe, old](Process& me) -> Proc {
        gen_server::cast(me, d, pool::RegisterWorker{0, me.self()});
        (void)co_await pool::status(me, "pl");  // (a call after the cast: the dispatcher has taken it)
        me.send(probe, atom("registered"));
        for (;;) {
          Message m = *co_await me.receive_any();
          if (m.envelope() != Envelope::cast) continue;
          Message in = std::move(m).open();
          auto* job = in.get_mut<pool::RunJob>();
          if (!job) continue;
          if (old) me.send(probe, tuple(atom("old_got"), job->job));
          else gen_server::cast(me, d, pool::JobDone{me.self(), job->job, atom("new")});
        }
      };
    };
    auto registered = [](const Message& m) { return m.get<Term>() && m.get<Term>()->is_atom("registered"); };
    auto old_got = [](const Message& m) { return m.get<Term>() && m.get<Term>()->is_tuple(2) && (*m.get<Term>())[0].is_atom("old_got"); };
    Pid old = self.spawn(worker(true));
    (void)co_await self.receive(registered);
    std::optional<pool::Submitted> first;
    if (old_busy) {
      first = pool::submit(self, "pl", [](Process&) -> Task<Term> { co_return atom("first"); });
      (void)co_await self.receive(old_got);
      got_by_old += "first ";
    }
    Pid fresh = self.spawn(worker(false));
    (void)co_await self.receive(registered);
    statuses += (co_await pool::status(self, "pl")).to_string() + " ";
    std::vector<pool::Submitted> sent;
    for (int j = 0; j < jobs; ++j) sent.push_back(pool::submit(self, "pl", [](Process&) -> Task<Term> { co_return atom("later"); }));
    for (auto& s : sent) outcomes += (co_await pool::await(self, s, 10'000)).to_string() + " ";
    self.exit(old, atom("kill"));
    if (first) outcomes += (co_await pool::await(self, *first, 10'000)).to_string() + " ";
    statuses += (co_await pool::status(self, "pl")).to_string();
    while (co_await self.receive(old_got, 0))
      got_by_old += "a job cast after its replacement registered ";
    self.exit(fresh, atom("kill"));
    co_await gen_server::stop(self, d);
  });
  p.expect("jobs the replaced worker was handed", got_by_old, old_busy ? "first " : "");
  const std::string idle = "[{available,1},{busy,0},{pending,0},{workers,1}]";
  p.expect("status after the replacement registered, then after the old worker's DOWN", statuses, idle + " " + idle);
  std::string want;
  for (int j = 0; j < jobs; ++j) want += "{ok,new} ";
  if (old_busy) want += attempts > 1 ? "{ok,new} " : "{error,{worker_crashed,killed}} ";
  p.expect("the outcomes", outcomes, want);
}

// S80: back-pressure: with every worker busy and max_pending jobs already waiting, a new job is
// refused {error, overloaded}; the jobs up to max_pending wait and run.
void pool_overloaded(Probe& p) {
  auto size = static_cast<int>(p.ms("size", 1, 3));
  auto max_pending = static_cast<size_t>(p.ms("max_pending", 1, 4));
  int64_t busy = p.ms("busy_ms", 1, 20);
  std::string outcomes;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = size, .max_pending = max_pending})).pid;
    co_await self.sleep(1);  // settled: every worker has registered with the dispatcher
    std::vector<pool::Submitted> sent;
    for (size_t j = 0; j < static_cast<size_t>(size) + max_pending + 1; ++j)
      sent.push_back(pool::submit(self, "pl", [busy](Process& w) -> Task<Term> {
        co_await w.sleep(busy);
        co_return atom("done");
      }));
    for (auto& s : sent) outcomes += " " + (co_await pool::await(self, s, 10'000)).to_string();
    self.exit(pool, atom("shutdown"));
  });
  std::string want;
  for (size_t j = 0; j < static_cast<size_t>(size) + max_pending; ++j) want += " {ok,done}";
  p.expect("the outcomes", outcomes, want + " {error,overloaded}");
}

// S80: a job retried after its worker crashed goes to the front of the queue (it has waited
// longest): on a one-worker pool it runs again before the jobs submitted after it.
void pool_retry_first(Probe& p) {
  auto behind = static_cast<int>(p.ms("jobs_behind", 1, 3));
  std::string started;
  std::string outcomes;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid pool = (co_await pool::start_link(self, {.name = "pl", .size = 1, .max_attempts = 2})).pid;
    std::vector<pool::Submitted> sent;
    sent.push_back(pool::submit(self, "pl", [&started](Process& w) -> Task<Term> {
      started += " first";
      co_await w.sleep(1);
      if (started == " first") throw Exit(atom("boom"));  // its first run crashes
      co_return atom("first");
    }));
    for (int j = 0; j < behind; ++j)
      sent.push_back(pool::submit(self, "pl", [&started, j](Process&) -> Task<Term> {
        started += " " + std::to_string(j);
        co_return integer(j);
      }));
    for (auto& s : sent) outcomes += " " + (co_await pool::await(self, s, 10'000)).to_string();
    self.exit(pool, atom("shutdown"));
  });
  std::string want_started = " first first", want = " {ok,first}";
  for (int j = 0; j < behind; ++j) {
    want_started += " " + std::to_string(j);
    want += " {ok," + std::to_string(j) + "}";
  }
  p.expect("the order jobs started in", started, want_started);
  p.expect("the outcomes", outcomes, want);
}

// docs/testing-your-code.md: start_supervised children stop when the body ends, in reverse
// start order with reason shutdown (their terminate runs: ExUnit's stop, S23); the time bound
// is inclusive (a body whose last timer is due exactly at max_time_ms passes).
void test_runner_ends(Probe& p) {
  auto n = static_cast<int>(p.ms("supervised_children", 1, 3));
  int64_t bound = p.ms("max_time_ms", 1, 50);
  int64_t sleep = p.chance("body_sleeps_to_the_bound") ? bound : p.ms("body_sleeps_ms", 0, bound + 1);
  lab::Lab l;
  testing::TestDef def{"contracts.runner", [&](testing::SimTest& t) -> Task<void> {
                         for (int i = 0; i < n; ++i) co_await t.start_supervised(lab::spec(l, "c" + std::to_string(i)));
                         co_await t.self().sleep(sleep);
                       }};
  def.config.max_time_ms = bound;
  testing::RunOutcome o = testing::run_once(def, {.seed = p.seed()});
  bool in_time = sleep <= bound;
  p.expect("the verdict", std::string(testing::to_string(o.verdict)),
           std::string(testing::to_string(in_time ? testing::Verdict::passed : testing::Verdict::no_quiescence)));
  if (!in_time) return;
  std::string stops, want;
  for (const auto& e : l.events)
    if (e.rfind("stop:", 0) == 0) stops += e + " ";
  for (int i = n - 1; i >= 0; --i) want += "stop:c" + std::to_string(i) + ":shutdown ";
  p.expect("the children's terminate, in order", stops, want);
}

// docs/testing-your-code.md: a shrunk token fails the same way as the run found (the same
// verdict at the same place): a test failing rarely at one place and often at another, found
// at the rare one, is not shrunk into the common one.
void shrink_keeps_the_failure(Probe& p) {
  auto rare = static_cast<uint32_t>(p.ms("rare_value", 4, 9));
  testing::TestDef def{"contracts.two-failures", [&](testing::SimTest& t) -> Task<void> {
                         uint32_t x = t.draw(10);
                         if (x == rare) t.fail("rare");
                         else if (x >= 1) t.fail("common");
                         co_return;
                       }};
  def.config.runs = 1;
  std::string found, minimal;
  for (uint64_t s = p.seed() % 1'000'000; found != "rare" && s < p.seed() % 1'000'000 + 400; ++s) {
    def.config.seed = s + 1;
    testing::CheckResult r = testing::check(def, def.config);
    if (!r.failed_at || r.found.failures.empty()) continue;
    found = r.found.failures.front().message;
    minimal = r.minimal.failures.empty() ? "passes" : r.minimal.failures.front().message;
  }
  p.expect("a seed found the rare failure", found, std::string("rare"));
  p.expect("the shrunk run's failure", minimal, std::string("rare"));
}

// docs/testing.md: dfs --bound K explores every schedule with at most K delays (non-canonical
// choices) and none with more; without sleep sets, n senders to one receiver (n! arrival
// orders) reach every order once K >= n - 1, and dpor reaches all n! unbounded.
void explore_bounds(Probe& p) {
  auto n = static_cast<int>(p.ms("senders", 2, 3));
  auto k = static_cast<uint32_t>(p.ms("bound", 0, 3));
  bool sleep_sets = p.chance("sleep_sets");
  std::set<std::string> orders;
  uint32_t most = 0;
  sim::RunSchedule inner = senders_to_one(n, &orders);
  sim::RunSchedule run = [&](sim::DecisionHook* h, uint64_t seed) {
    sim::ScheduleRun r = inner(h, seed);
    most = std::max(most, static_cast<uint32_t>(std::count_if(r.decisions.begin(), r.decisions.end(), [](uint32_t c) { return c != 0; })));
    return r;
  };
  sim::ExploreResult r = sim::explore(run, {.strategy = sim::ExploreStrategy::dfs, .bound = k, .max_schedules = 100'000,
                                            .sleep_sets = sleep_sets, .stop_at_first = false});
  p.expect("exhausted", r.exhausted, true);
  p.expect("at most the bound's delays in a schedule", most <= k, true);
  int64_t all = n == 2 ? 2 : 6;
  if (k >= static_cast<uint32_t>(n - 1)) p.expect("arrival orders reached", static_cast<int64_t>(orders.size()), all);
  orders.clear();
  sim::ExploreResult d = sim::explore(inner, {.strategy = sim::ExploreStrategy::dpor, .bound = sim::kUnbounded, .max_schedules = 100'000,
                                              .stop_at_first = false});
  p.expect("dpor schedules", static_cast<int64_t>(d.schedules), all);
  p.expect("dpor arrival orders", static_cast<int64_t>(orders.size()), all);
}

// docs/testing.md, sim/explore.hpp: PCT with bound d draws d - 1 priority change points among
// the k steps of a schedule (steps 1..k), so a bug of depth d is found with probability at
// least 1/(n k^(d-1)) per schedule. Two actors that could each take any of k steps: the bug
// needs one change point, at the last step: actor 1 (the higher priority) runs steps 1..k-1
// and actor 2 the last one. Found with probability 1/(2k) per schedule, so within 600
// schedules (missed with probability below 1e-10 for k <= 8); a change point that can never
// land on step k never finds it.
void explore_pct_depth(Probe& p) {
  auto k = static_cast<uint32_t>(p.ms("steps", 2, 8));
  const std::vector<sim::OptionLabel> options{{.kind = sim::OptionLabel::Kind::run, .a = 1},
                                              {.kind = sim::OptionLabel::Kind::run, .a = 2}};
  sim::RunSchedule run = [&](sim::DecisionHook* h, uint64_t) {
    sim::ScheduleRun r;
    for (uint32_t i = 0; i < k; ++i) r.decisions.push_back(h ? h->choose(sim::DecisionPoint::next_step, options) : 0);
    bool bug = r.decisions.back() == 1;
    for (uint32_t i = 0; i + 1 < k; ++i) bug = bug && r.decisions[i] == 0;
    if (bug) r.failures.push_back("actor 2 ran only the last step");
    return r;
  };
  sim::ExploreResult r = sim::explore(run, {.strategy = sim::ExploreStrategy::pct, .bound = 2, .max_schedules = 600,
                                            .seed = p.seed()});
  p.expect("PCT (d = 2) found the depth-2 bug needing a change at the last step", r.first_failure_at.has_value(), true);
  if (r.first_failure_at) p.note("found_at", std::to_string(*r.first_failure_at));
}

// S91: a replay token carries its seed, target and decision list exactly (runs of one value
// are written v*n).
void token_round_trip(Probe& p) {
  auto n = static_cast<size_t>(p.ms("choices", 0, 40));
  std::vector<uint32_t> choices;
  while (choices.size() < n) {
    uint32_t v = static_cast<uint32_t>(p.ms("value", 0, 3));
    auto run = static_cast<size_t>(p.ms("run", 1, 6));
    for (size_t k = 0; k < run && choices.size() < n; ++k) choices.push_back(v);
  }
  Token t = parse_token(make_token("suite/contracts", p.seed(), choices));
  p.expect("seed", std::to_string(t.seed), std::to_string(p.seed()));
  p.expect("target", t.target, std::string("suite/contracts"));
  std::string got, want;
  for (uint32_t c : t.choices.value_or(std::vector<uint32_t>{})) got += std::to_string(c) + ",";
  for (uint32_t c : choices) want += std::to_string(c) + ",";
  p.expect("choices", got, want);
}

// The circuit breaker against its model: `threshold` consecutive failures open it (a success
// resets the count); a failure is a call returning {error, _} or throwing (the reply is then
// {error, What}); open, a call fails fast with circuit_open without running; after
// reset_timeout_ms it is half_open: a call runs, success closes it, failure opens it again.
// circuit_breaker::state answers the model's state after every step.
// Waits are 1 ms or 2 x reset + 1, so no call falls on the ms the breaker turns half_open.
void circuit_breaker_model(Probe& p) {
  auto threshold = static_cast<int>(p.ms("threshold", 1, 4));
  int64_t reset = p.ms("reset_ms", 20, 50);
  auto steps = static_cast<int>(p.ms("steps", 4, 14));
  // 0: call ok, 1: call failing, 2: wait 1 ms, 3: wait 2 x reset + 1, 4: call throwing
  std::vector<int> plan;
  if (p.chance("opens_then_fails_half_open")) {  // the path random steps reach least often
    plan.assign(static_cast<size_t>(threshold), 1);
    plan.insert(plan.end(), {3, p.chance("the_half_open_call_throws") ? 4 : 1, 0, 3, 0});
  }
  for (int i = 0; i < steps; ++i) plan.push_back(static_cast<int>(p.ms("step", 0, 4)));
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid b = (co_await gen_server::start_link(self, circuit_breaker::factory({.threshold = threshold, .reset_timeout_ms = reset}))).pid;
    enum class M { closed, open, half_open } state = M::closed;
    int failures = 0;
    int64_t opened_at = 0;
    std::string got, want;
    auto model_state = [&] {
      if (state == M::open && self.now_ms() >= opened_at + reset) state = M::half_open;
      return state == M::closed ? "closed" : state == M::open ? "open" : "half_open";
    };
    for (int step : plan) {
      if (step == 2 || step == 3) {
        co_await self.sleep(step == 2 ? 1 : 2 * reset + 1);
      } else {
        model_state();
        bool fail = step == 1, raise = step == 4;
        int ran = 0;
        Term r = co_await circuit_breaker::call(self, b, [fail, raise, &ran](Process&) -> Task<Term> {
          ++ran;
          if (raise) throw std::runtime_error("boom");
          co_return fail ? tuple(atom("error"), atom("boom")) : tuple(atom("ok"), integer(1));
        });
        got += r.to_string() + (ran ? "(ran) " : " ");
        if (state == M::open) {
          want += "{error,circuit_open} ";
        } else {
          Term w = raise ? tuple(atom("error"), str("boom")) : fail ? tuple(atom("error"), atom("boom")) : tuple(atom("ok"), integer(1));
          want += w.to_string() + "(ran) ";
          if (!fail && !raise) {
            state = M::closed;
            failures = 0;
          } else if (state == M::half_open || ++failures >= threshold) {
            state = M::open;
            failures = 0;
            opened_at = self.now_ms();
          }
        }
      }
      got += std::string("[") + circuit_breaker::to_string(co_await circuit_breaker::state(self, b)) + "] ";
      want += std::string("[") + model_state() + "] ";
    }
    p.expect("calls and states", got, want);
    self.exit(b, atom("shutdown"));
  });
}

// S12 S23: the buffered writer traps exits, so its supervisor's shutdown runs terminate, which
// flushes what is buffered: nothing written is lost.
void buffered_writer_shutdown(Probe& p) {
  auto writes = static_cast<int>(p.ms("writes", 1, 6));
  std::string how = p.pick("ended_by", std::vector<std::string>{"terminate_child", "stop_normal", "stop_shutdown_tuple"});
  std::vector<Term> sunk;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    ChildSpec w = worker_spec(atom("writer"), [&sunk] {
      return std::make_unique<BufferedWriter>(BufferedWriterOptions{
          .sink = [&sunk](Process&, std::vector<Term> batch) -> Task<void> {
            sunk.insert(sunk.end(), batch.begin(), batch.end());
            co_return;
          },
          .flush_every_ms = 1'000'000});
    });
    Pid sup = (co_await supervisor::start_link(self, {}, {w})).pid;
    Pid writer = co_await lab::child_pid(self, sup, "writer");
    for (int i = 0; i < writes; ++i) gen_server::cast(self, writer, tuple(atom("write"), integer(i)));
    co_await sys::get_state(self, writer);  // the casts are in (a cast still in flight at the shutdown is lost, as on the BEAM)
    if (how == "terminate_child") {
      co_await supervisor::terminate_child(self, sup, atom("writer"));
    } else {  // GenServer.stop with another reason: terminate runs, and flushes, for every reason
      Term reason = how == "stop_normal" ? atom("normal") : tuple(atom("shutdown"), atom("x"));
      co_await gen_server::stop(self, writer, reason);
    }
    p.expect("written by the final flush", static_cast<int64_t>(sunk.size()), writes);
    self.exit(sup, atom("shutdown"));
  });
}

// The retrying connection's attempts: the first at once, then after base x 2^k ms (capped);
// call(conn) answers {error, not_connected} while it retries and {ok, Conn} once connected.
void retry_backoff(Probe& p) {
  auto fails = static_cast<int>(p.ms("failed_attempts", 1, 4));
  int64_t base = p.ms("base_ms", 5, 40);
  int64_t cap = p.ms("max_ms", 50, 200);
  std::vector<int64_t> at;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    RetryOptions o{.connect = [&](Process& c, Term* err) -> Task<std::optional<Term>> {
                     at.push_back(c.now_ms());
                     if (static_cast<int>(at.size()) <= fails) {
                       *err = atom("refused");
                       co_return std::nullopt;
                     }
                     co_return atom("conn");
                   },
                   .max_retries = 10, .base_backoff_ms = base, .max_backoff_ms = cap};
    int64_t t0 = self.now_ms();
    Pid c = (co_await gen_server::start_link(self, [o] { return std::make_unique<RetryingConnection>(o); })).pid;
    // init sent itself the first attempt before start_link returned: it has failed by now
    p.expect("call(conn) while retrying", (co_await gen_server::call(self, c, atom("conn"))).to_term(), tuple(atom("error"), atom("not_connected")));
    co_await self.sleep(10 * cap);
    p.expect("call(conn) once connected", (co_await gen_server::call(self, c, atom("conn"))).to_term(), tuple(atom("ok"), atom("conn")));
    std::string got, want;
    int64_t t = t0, wait = base;
    for (size_t i = 0; i < at.size(); ++i) got += std::to_string(at[i] - t0) + " ";
    for (int i = 0; i <= fails; ++i) {
      want += std::to_string(t - t0) + " ";
      t += std::min(wait, cap);
      wait *= 2;
    }
    p.expect("attempt times (ms after start)", got, want);
    self.exit(c, atom("shutdown"));
  });
}

// docs/guide.md (graceful shutdown): a BufferedWriter flushes what it holds every
// flush_every_ms, tick after tick, not only the first time and not only after a tick that
// found something to write: each round of writes reaches the sink in a batch of its own, in
// the order written, and a round without writes flushes nothing.
void buffered_writer_ticks(Probe& p) {
  int64_t every = p.ms("flush_every_ms", 5, 50);
  auto rounds = static_cast<int>(p.ms("rounds", 2, 5));
  std::vector<int> writes;
  for (int r = 0; r < rounds; ++r) writes.push_back(static_cast<int>(p.ms("writes_in_round", 0, 3)));
  std::string batches;
  p.run([&](Process& self) -> Proc {
    Pid w = (co_await gen_server::start(self, [&batches, every] {
               return std::make_unique<BufferedWriter>(BufferedWriterOptions{
                   .sink = [&batches](Process&, std::vector<Term> batch) -> Task<void> {
                     batches += " " + Term::list(batch).to_string();
                     co_return;
                   },
                   .flush_every_ms = every});
             })).pid;
    co_await self.sleep(1);  // the writes fall between ticks, never on one
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < writes[static_cast<size_t>(r)]; ++i) gen_server::cast(self, w, tuple(atom("write"), integer(10 * r + i)));
      co_await self.sleep(every);  // one tick passes after each round
    }
    self.exit(w, atom("kill"));
  });
  std::string want;
  for (int r = 0; r < rounds; ++r) {
    std::vector<Term> batch;
    for (int i = 0; i < writes[static_cast<size_t>(r)]; ++i) batch.push_back(integer(10 * r + i));
    if (!batch.empty()) want += " " + Term::list(batch).to_string();
  }
  p.expect("the batches flushed", batches, want);
}

// docs/guide.md (initialization with retries): a connection that keeps failing is tried once
// and then max_retries times more; the last failure stops the server with
// {max_retries_exceeded, LastError}.
void retry_gives_up(Probe& p) {
  auto max_retries = static_cast<int>(p.ms("max_retries", 0, 4));
  int64_t base = p.ms("base_ms", 1, 20);
  int attempts = 0;
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    RetryOptions o{.connect = [&](Process&, Term* err) -> Task<std::optional<Term>> {
                     *err = tuple(atom("refused"), integer(++attempts));
                     co_return std::nullopt;
                   },
                   .max_retries = max_retries, .base_backoff_ms = base, .max_backoff_ms = 1000};
    Pid c = (co_await gen_server::start_link(self, [o] { return std::make_unique<RetryingConnection>(o); })).pid;
    auto e = co_await self.receive(exit_from(c), 60'000);
    p.expect("the server's exit reason", e ? e->get<ExitMsg>()->reason : atom("still_running"),
             tuple(atom("max_retries_exceeded"), tuple(atom("refused"), integer(max_retries + 1))));
  });
  p.expect("connect attempts", static_cast<int64_t>(attempts), static_cast<int64_t>(max_retries + 1));
}

// S91: a replayed decision list, once it runs out, chooses 0 (the canonical choice: what lets
// a shrinker cut a list short); a shrunk list still fails and is no longer than the original.
void replay_and_shrink(Probe& p) {
  auto n = static_cast<size_t>(p.ms("choices", 1, 30));
  std::vector<uint32_t> list;
  for (size_t i = 0; i < n; ++i) list.push_back(static_cast<uint32_t>(p.ms("value", 0, 4)));
  auto cut = static_cast<size_t>(p.ms("replayed_prefix", 0, static_cast<int64_t>(n)));
  // A run that now offers fewer options than were recorded takes the last one and says the
  // replay diverged (the token no longer fits the code).
  auto options = static_cast<uint32_t>(p.ms("options_now", 2, 5));  // (one option is no choice: nothing is read)
  sim::Chooser c(p.seed(), std::vector<uint32_t>(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(cut)));
  std::string got, want;
  bool diverged = false;
  for (size_t i = 0; i < n + 5; ++i) {
    got += std::to_string(c.choose(sim::DecisionPoint::next_step, options)) + ",";
    want += std::to_string(i < cut ? std::min(list[i], options - 1) : 0) + ",";
    diverged = diverged || (i < cut && list[i] >= options);
  }
  p.expect("choices replayed from a prefix", got, want);
  p.expect("the replay diverged", c.replay_diverged(), diverged);
  int64_t need = p.ms("failing_needs_values_of_3_or_more", 1, 3);
  auto fails = [need](const std::vector<uint32_t>& v) { return std::count_if(v.begin(), v.end(), [](uint32_t x) { return x >= 3; }) >= need; };
  if (!fails(list)) return;
  sim::ShrinkResult r = sim::shrink_choices(list, fails);
  p.expect("the shrunk list still fails", fails(r.choices), true);
  p.expect("the shrunk list is no longer", r.choices.size() <= list.size(), true);
}

}  // namespace

const std::vector<ProbeDef>& component_probes() {
  static const std::vector<ProbeDef> v = {
      {"dynamic-shutdown", "S40 S23", dynamic_shutdown},
      {"dynamic-gives-up", "S40 S28", dynamic_gives_up},
      {"dynamic-count-restarting", "S40", dynamic_count_restarting},
      {"dynamic-state-restarts", "S40", dynamic_state_restarts},
      {"dynamic-restart-ignored", "S40", dynamic_restart_ignored},
      {"dynamic-bad-input", "S40", dynamic_bad_input},
      {"task-links", "S50", task_links},
      {"task-restart", "S50", task_restart},
      {"await-many", "S50", await_many},
      {"task-owner", "S50", task_owner},
      {"task-owner-dies-first", "S50", task_owner_dies_first},
      {"task-forgets-its-owner", "S50", task_forgets_its_owner},
      {"task-shutdown-timeout", "S50", task_shutdown_timeout},
      {"task-leaves-no-down", "S50", task_leaves_no_down},
      {"registry-send-and-keys", "S60", registry_send_and_keys},
      {"registry-dispatch", "S60", registry_dispatch},
      {"registry-owner-exit", "S60", registry_owner_exit},
      {"registry-stale-holder", "S60", registry_stale_holder},
      {"registry-keys-of-a-replaced-holder", "S60", registry_keys_of_a_replaced_holder},
      {"registry-unknown", "S60", registry_unknown},
      {"registry-via-duplicate", "S60", registry_via_duplicate},
      {"application", "S70", application_env_and_stop},
      {"application-restart-and-failures", "S70", application_restart_and_failures},
      {"application-errors", "S70", application_errors},
      {"application-stop-while-ending", "S70", application_stop_while_ending},
      {"pool-attempts", "S80", pool_attempts},
      {"pool-start-twice", "S10 S80", pool_start_twice},
      {"pool-dead-workers", "S80", pool_dead_workers},
      {"pool-replaced-before-down", "S80 S5", pool_replaced_before_down},
      {"pool-submit-after-restart", "S80", pool_submit_after_restart},
      {"pool-result-before-down", "S80", pool_result_before_down},
      {"pool-overloaded", "S80", pool_overloaded},
      {"pool-retry-first", "S80", pool_retry_first},
      {"pool-timeout-cancels", "S80", pool_timeout_cancels},
      {"circuit-breaker", "guide", circuit_breaker_model},
      {"buffered-writer-shutdown", "S12 S23", buffered_writer_shutdown},
      {"buffered-writer-ticks", "guide", buffered_writer_ticks},
      {"retry-backoff", "guide", retry_backoff},
      {"retry-gives-up", "guide", retry_gives_up},
      {"token", "S91", token_round_trip},
      {"replay-and-shrink", "S91", replay_and_shrink},
      {"explore-bounds", "explore", explore_bounds},
      {"explore-pct-depth", "explore", explore_pct_depth},
      {"test-runner-ends", "S23", test_runner_ends},
      {"shrink-keeps-the-failure", "S91", shrink_keeps_the_failure},
  };
  return v;
}

}  // namespace otp::properties::contract
