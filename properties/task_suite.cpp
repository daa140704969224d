// task (S50): tasks started with Task.Supervisor.async_nolink finish at distinct times with a
// value or an exit reason, while the owner awaits, yields, yields many, shuts them down or
// kills them, with random timeouts. Every outcome must equal the model's, which knows when
// each task ends: await gives the value or exits the caller ({R | timeout, {Task, await, ...}}),
// yield and yield_many give {ok,V} | {exit,R} | nil, shutdown gives nil for a running task.
#include <algorithm>
#include <set>

#include <otpsim/core/behaviours/task_supervisor.hpp>
#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {
namespace {

struct TaskPlan {
  int64_t end_ms;  // odd and distinct: no task ends at the same time as another or a timeout
  Term exit;       // undefined: it returns its index; else it exits with this reason
};

enum class Op : uint8_t { await, yield, shutdown, brutal_kill, yield_many };
const char* op_name(Op o) {
  static constexpr const char* n[] = {"await", "yield", "shutdown", "brutal_kill", "yield_many"};
  return n[static_cast<int>(o)];
}

struct Step {
  Op op;
  std::vector<int> tasks;  // one, or several for yield_many
  int64_t timeout_ms;      // even, stretched by a ms where it would end with a task
};

struct Case {
  std::vector<TaskPlan> tasks;
  std::vector<Step> steps;
  uint64_t seed = 1;
};

Case draw(sim::Draws& d) {
  Case c;
  size_t n = 1 + d.below(4);
  std::set<int64_t> ends;
  static const Term exits[] = {atom("undefined"), atom("undefined"), atom("boom"), atom("normal"), tuple(atom("shutdown"), atom("x")), atom("shutdown")};
  for (size_t i = 0; i < n; ++i) {
    int64_t end = 1 + 2 * static_cast<int64_t>(d.below(60));
    while (!ends.insert(end).second) end += 2;
    c.tasks.push_back({end, exits[d.below(6)]});
  }
  size_t m = 1 + d.below(6);
  for (size_t i = 0; i < m; ++i) {
    Step s{static_cast<Op>(d.below(5)), {}, 2 * static_cast<int64_t>(d.below(40))};
    if (s.op == Op::yield_many) {
      for (size_t t = 0; t < n; ++t)
        if (d.chance(2)) s.tasks.push_back(static_cast<int>(t));
    } else {
      s.tasks.push_back(static_cast<int>(d.below(static_cast<uint32_t>(n))));
    }
    c.steps.push_back(std::move(s));
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const Case& c) {
  std::string s = "seed " + std::to_string(c.seed) + ", tasks:";
  for (size_t i = 0; i < c.tasks.size(); ++i)
    s += " t" + std::to_string(i) + "(ends " + std::to_string(c.tasks[i].end_ms) + " ms, " +
         (c.tasks[i].exit.is_atom("undefined") ? "returns" : "exits " + c.tasks[i].exit.to_string()) + ")";
  s += "; steps:";
  for (const auto& st : c.steps) {
    s += std::string(" ") + op_name(st.op) + "(";
    for (int t : st.tasks) s += "t" + std::to_string(t) + " ";
    s += std::to_string(st.timeout_ms) + ")";
  }
  return s;
}

std::optional<std::string> check(const Case& c) {
  sim::World w({.seed = c.seed});
  std::vector<std::string> seen, want;
  w.spawn([&](Process& self) -> Proc {
    Pid sup = (co_await task_supervisor::start_link(self)).pid;
    std::vector<TaskRef> refs;
    for (size_t i = 0; i < c.tasks.size(); ++i) {
      TaskPlan p = c.tasks[i];
      int64_t index = static_cast<int64_t>(i);
      refs.push_back(co_await task_supervisor::async_nolink(self, sup, [p, index](Process& t) -> Task<Term> {
        co_await t.sleep(p.end_ms);
        if (!p.exit.is_atom("undefined")) throw Exit(p.exit);
        co_return integer(index);
      }));
    }
    // The model: when a task ends (the start above took no virtual time) and what it ends with.
    std::vector<bool> gone(c.tasks.size(), false);  // its outcome was taken, or it was stopped
    auto done_by = [&](int t, int64_t at) { return c.tasks[t].end_ms <= at; };
    auto outcome = [&](int t) {
      const TaskPlan& p = c.tasks[t];
      return p.exit.is_atom("undefined") ? tuple(atom("ok"), integer(t)) : tuple(atom("exit"), p.exit);
    };
    int64_t now = self.now_ms();
    for (size_t k = 0; k < c.steps.size(); ++k) {
      const Step& s = c.steps[k];
      std::vector<int> ts;
      for (int t : s.tasks)
        if (!gone[t]) ts.push_back(t);
      if (ts.empty()) continue;
      int t = ts.front();
      // No deadline may fall on the very ms a task ends (the two timers' order is a choice):
      // a timeout that would is made one ms longer, here and in the call below.
      int64_t timeout_ms = s.timeout_ms;
      auto ends_at = [&](int64_t at) {
        return std::any_of(c.tasks.begin(), c.tasks.end(), [at](const TaskPlan& p) { return p.end_ms == at; });
      };
      while (ends_at(now + timeout_ms)) ++timeout_ms;
      std::string tag = std::to_string(k) + " " + op_name(s.op) + ": ";
      Term expect, got;
      switch (s.op) {
        case Op::await: {
          int64_t at = std::max(now, std::min(c.tasks[t].end_ms, now + timeout_ms));
          Term why = !done_by(t, at) ? atom("timeout") : c.tasks[t].exit;
          expect = why.is_atom("undefined") ? integer(t)
                                            : tuple(why, tuple(atom("Elixir.Task"), atom("await"), list(refs[t].to_term(), integer(timeout_ms))));
          now = at;
          gone[t] = true;
          try {
            got = co_await task::await(self, refs[t], timeout_ms);
          } catch (const Exit& e) {
            got = e.reason();
          }
          break;
        }
        case Op::yield: {
          int64_t at = std::max(now, std::min(c.tasks[t].end_ms, now + timeout_ms));
          expect = done_by(t, at) ? outcome(t) : atom("nil");
          gone[t] = done_by(t, at);
          now = at;
          got = co_await task::yield(self, refs[t], timeout_ms);
          break;
        }
        case Op::shutdown:
        case Op::brutal_kill: {
          // A running task is stopped (nil); one that ended gives its outcome, but a task that
          // exited `shutdown` (or was killed, for brutal_kill) on its own reads as nil too.
          const char* quiet = s.op == Op::shutdown ? "shutdown" : "killed";
          expect = !done_by(t, now) || c.tasks[t].exit.is_atom(quiet) ? atom("nil") : outcome(t);
          gone[t] = true;
          got = s.op == Op::shutdown ? co_await task::shutdown(self, refs[t]) : co_await task::shutdown(self, refs[t], task::brutal_kill);
          break;
        }
        case Op::yield_many: {
          int64_t last = now;
          for (int x : ts) last = std::max(last, c.tasks[x].end_ms);
          int64_t at = std::min(last, now + timeout_ms);  // one deadline for all
          std::vector<Term> outs;
          std::vector<TaskRef> asked;
          for (int x : ts) {
            outs.push_back(done_by(x, at) ? outcome(x) : atom("nil"));
            gone[x] = done_by(x, at);
            asked.push_back(refs[x]);
          }
          expect = Term::list(std::move(outs));
          now = at;
          got = Term::list(co_await task::yield_many(self, asked, timeout_ms));
          break;
        }
      }
      want.push_back(tag + expect.to_string());
      seen.push_back(tag + got.to_string());
      if (self.now_ms() != now) seen.push_back("  at " + std::to_string(self.now_ms()) + " ms, the model says " + std::to_string(now));
    }
  });
  auto r = w.run({.max_steps = 200'000});
  if (r.stop != sim::StopReason::quiescent) return "the world did not settle";
  return differs_from_model("outcomes", seen, want);
}

}  // namespace

SuiteOutcome task_suite(sim::Draws& d) {
  Case c = draw(d);
  return {check(c), describe(c)};
}

}  // namespace otp::properties
