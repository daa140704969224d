// dpor (S1-S5, S91): source-DPOR finds every behaviour. A random small program — 2 or 3
// processes that send, receive (blocking, or `after 0`), link, monitor, trap exits and send exit
// signals — is explored exhaustively: by plain DFS with no reduction, by dpor, and by dpor on two
// jobs sharing one tree. The sets of observable outcomes (per process: what it received, in
// order, and how it ended) must be equal, and dpor must not run more schedules than DFS with
// sleep sets.
#include <mutex>
#include <regex>
#include <set>

#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/world.hpp>
#include <otpsim/testing/parallel_dpor.hpp>

namespace otp::properties {
namespace {

enum class Op : uint8_t { send, recv, recv0, link, monitor, trap, exit_other };
const char* op_name(Op o) {
  static constexpr const char* names[] = {"send", "recv", "recv0", "link", "monitor", "trap", "exit"};
  return names[static_cast<int>(o)];
}

struct Act {
  Op op;
  int other;
  int value;
};

struct Case {
  std::vector<std::vector<Act>> procs;
};

// Programs that once showed a reduction unsound (an outcome missed), drawn now and then so a
// change that brings the fault back fails in a few hundred cases, not a few thousand.
Case known_hard(uint32_t k) {
  using enum Op;
  switch (k) {
    case 0:  // P0 links and receives `after 0`; P2's message must still reach it in one schedule
      return {{{{link, 1, 0}, {recv0, 1, 0}}, {{trap, 2, 0}, {recv0, 0, 0}}, {{monitor, 1, 0}, {send, 0, 2}}}};
    default:  // P1 kills P0; P0 must still get to link to an already dead P2 in one schedule
      return {{{{link, 2, 0}, {trap, 2, 0}}, {{exit_other, 0, 1}}, {{monitor, 1, 0}, {recv, 0, 0}}}};
  }
}

Case draw(sim::Draws& d) {
  if (d.below(8) == 0) return known_hard(static_cast<uint32_t>(d.below(2)));
  Case c;
  int n = 2 + static_cast<int>(d.below(2));
  c.procs.resize(static_cast<size_t>(n));
  for (int p = 0; p < n; ++p) {
    size_t k = 1 + d.below(n == 2 ? 3 : 2);
    for (size_t i = 0; i < k; ++i) {
      Act a{static_cast<Op>(d.below(7)), static_cast<int>(d.below(static_cast<uint32_t>(n - 1))), static_cast<int>(d.below(3))};
      if (a.other >= p) ++a.other;
      c.procs[static_cast<size_t>(p)].push_back(a);
    }
  }
  return c;
}

std::string describe(const Case& c) {
  std::string s;
  for (size_t p = 0; p < c.procs.size(); ++p) {
    s += (p ? " | " : "") + std::string("P") + std::to_string(p) + ":";
    for (const auto& a : c.procs[p]) s += std::string(" ") + op_name(a.op) + "(" + std::to_string(a.other) + "," + std::to_string(a.value) + ")";
  }
  return s;
}

Term reason_of(int v) { return v == 0 ? atom("normal") : v == 1 ? atom("kill") : atom("boom"); }

// One run of the program under `hook`; its outcome as text, refs erased (their values depend
// on the order of unrelated steps, and only equality can observe them).
std::string run_program(const Case& c, sim::DecisionHook* hook, std::vector<uint32_t>* decisions) {
  sim::World w({.seed = 1, .hook = hook});
  size_t n = c.procs.size();
  std::vector<std::string> seen(n);
  std::vector<Pid> pids(n);
  w.spawn([&](Process& root) -> Proc {
    for (size_t p = 0; p < n; ++p)
      pids[p] = root.spawn([&, p](Process& self) -> Proc {
        for (const Act& a : c.procs[p]) {
          Pid other = pids[static_cast<size_t>(a.other)];
          switch (a.op) {
            case Op::send: self.send(other, integer(a.value)); break;
            case Op::recv: seen[p] += " " + (co_await self.receive_any())->to_term().to_string(); break;
            case Op::recv0: {
              auto m = co_await self.receive_any(0);
              seen[p] += " " + (m ? m->to_term().to_string() : std::string("timeout"));
              break;
            }
            case Op::link: self.link(other); break;
            case Op::monitor: self.monitor(other); break;
            case Op::trap: self.trap_exit(true); break;
            case Op::exit_other: self.exit(other, reason_of(a.value)); break;
          }
        }
      });
    co_return;
  });
  w.run({.max_steps = 10'000});
  if (decisions) *decisions = w.executor().chooser().choices();
  std::string out;
  for (size_t p = 0; p < n; ++p) {
    auto r = w.exit_reason(pids[p]);
    out += "P" + std::to_string(p) + ":" + seen[p] + " -> " + (r ? r->to_string() : std::string("blocked")) + "; ";
  }
  static const std::regex ref(R"(#Ref<[0-9.]+>)");
  return std::regex_replace(out, ref, "#Ref");
}

struct Explored {
  std::set<std::string> outcomes;
  sim::ExploreResult result;
};

// jobs > 1: dpor's workers share one tree (testing/parallel_dpor).
Explored explore_all(const Case& c, sim::ExploreStrategy s, bool sleep_sets, unsigned jobs = 1) {
  Explored e;
  std::mutex mu;
  sim::RunSchedule run = [&](sim::DecisionHook* h, uint64_t) {
    std::vector<uint32_t> decisions;
    std::string outcome = run_program(c, h, &decisions);
    std::lock_guard lock(mu);
    e.outcomes.insert(std::move(outcome));
    return sim::ScheduleRun{{}, decisions};
  };
  sim::ExploreOptions o{.strategy = s, .bound = s == sim::ExploreStrategy::dpor ? sim::kUnbounded : 64,
                        .max_schedules = 6'000, .sleep_sets = sleep_sets, .stop_at_first = false};
  e.result = jobs > 1 ? testing::explore_dpor_jobs(run, o, jobs) : sim::explore(run, o);
  return e;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += "\n    " + x;
  return out;
}

std::optional<std::string> check(const Case& c) {
  Explored plain = explore_all(c, sim::ExploreStrategy::dfs, false);
  if (!plain.result.exhausted) return std::nullopt;  // too big to enumerate unreduced (about 1 case in 20): no reference
  Explored dpor = explore_all(c, sim::ExploreStrategy::dpor, false);
  if (!dpor.result.exhausted) return "dpor did not exhaust a space plain DFS exhausted in " + std::to_string(plain.result.schedules) + " schedules";
  if (dpor.outcomes != plain.outcomes)
    return "dpor found " + std::to_string(dpor.outcomes.size()) + " outcome(s), exhaustive DFS " + std::to_string(plain.outcomes.size()) +
           ":\n  dpor:" + join(dpor.outcomes) + "\n  dfs:" + join(plain.outcomes);
  Explored parallel = explore_all(c, sim::ExploreStrategy::dpor, false, 2);
  if (!parallel.result.exhausted || parallel.outcomes != plain.outcomes)
    return "dpor on 2 jobs found " + std::to_string(parallel.outcomes.size()) + " outcome(s) (" +
           (parallel.result.exhausted ? "exhausted" : "not exhausted") + "), exhaustive DFS " + std::to_string(plain.outcomes.size()) +
           ":\n  dpor --jobs 2:" + join(parallel.outcomes) + "\n  dfs:" + join(plain.outcomes);
  Explored sleep = explore_all(c, sim::ExploreStrategy::dfs, true);
  if (sleep.result.exhausted && dpor.result.schedules > sleep.result.schedules)
    return "dpor ran " + std::to_string(dpor.result.schedules) + " schedules, DFS with sleep sets " + std::to_string(sleep.result.schedules);
  return std::nullopt;
}

}  // namespace

SuiteOutcome dpor_suite(sim::Draws& d) {
  Case c = draw(d);
  return {check(c), describe(c)};
}

}  // namespace otp::properties
