// Source-DPOR (sim/dpor.hpp): one schedule per Mazurkiewicz trace on the programs where
// Concuerror's optimal DPOR sets the bar, exhaustive runs of the shipped scenarios, and the
// rare bug found.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <set>

#include <otpsim/properties/explore_programs.hpp>
#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/world.hpp>
#include <otpsim/testing/parallel_dpor.hpp>

#include <mutex>

using namespace otp;
using namespace otp::sim;

namespace {

using properties::independent_pairs;
using properties::senders_to_one;

ExploreResult dpor(const RunSchedule& run, uint64_t max = 1'000'000) {
  return explore(run, {.strategy = ExploreStrategy::dpor, .bound = kUnbounded, .max_schedules = max, .stop_at_first = false});
}

uint64_t factorial(int n) { return n <= 1 ? 1 : n * factorial(n - 1); }

std::string scenario_path(const char* name) { return std::string(OTPSIM_SOURCE_DIR) + "/scenarios/explore/" + name; }

}  // namespace

TEST(Dpor, IndependentPairsAreOneTrace) {  // S5: nothing shared, nothing to reorder
  for (int k : {2, 3, 10}) {
    ExploreResult r = dpor(independent_pairs(k));
    EXPECT_TRUE(r.exhausted) << k;
    EXPECT_EQ(r.schedules, 1u) << k << " pairs";
  }
}

TEST(Dpor, SendersToOneReceiverAreNFactorialTraces) {  // S5: no order between senders
  for (int n = 2; n <= 6; ++n) {
    std::set<std::string> outcomes;
    ExploreResult r = dpor(senders_to_one(n, &outcomes));
    EXPECT_TRUE(r.exhausted) << n;
    EXPECT_EQ(outcomes.size(), factorial(n)) << n << " senders: every arrival order";
    EXPECT_EQ(r.schedules, factorial(n)) << n << " senders";
  }
}

TEST(Dpor, ShippedScenariosExhaustAndTheRareBugIsFound) {
  // Every trace of each shipped explore scenario, unbounded (dfs with sleep sets needs 978
  // schedules at bound 3 for one_for_all_two_crashes and does not exhaust unbounded).
  struct Want {
    const char* file;
    uint64_t at_most;
    bool bug;
  };
  for (Want want : {Want{"down_before_exit.toml", 10, true}, Want{"one_for_all_two_crashes.toml", 300, false}}) {
    Scenario s = load_scenario(scenario_path(want.file));
    uint64_t failing = 0;
    RunSchedule run = [&s, &failing](DecisionHook* h, uint64_t seed) {
      ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = seed, .hook = h});
      failing += o.failures.empty() ? 0 : 1;
      return ScheduleRun{o.failures, o.decisions};
    };
    ExploreResult all = dpor(run);
    EXPECT_TRUE(all.exhausted) << want.file;
    EXPECT_LE(all.schedules, want.at_most) << want.file;
    EXPECT_EQ(failing > 0, want.bug) << want.file;
    std::printf("%s: dpor exhausts in %llu schedules (%llu failing, %llu races)\n", want.file,
                static_cast<unsigned long long>(all.schedules), static_cast<unsigned long long>(failing),
                static_cast<unsigned long long>(all.races));
  }
}

TEST(Dpor, TheTokenOfADporFailureReplays) {  // S91
  Scenario s = load_scenario(scenario_path("down_before_exit.toml"));
  RunSchedule run = [&s](DecisionHook* h, uint64_t seed) {
    ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = seed, .hook = h});
    return ScheduleRun{o.failures, o.decisions};
  };
  ExploreResult r = explore(run, {.strategy = ExploreStrategy::dpor, .bound = kUnbounded, .max_schedules = 100});
  ASSERT_TRUE(r.first_failure_at.has_value());
  ScenarioOutcome again = run_scenario(s, ScenarioRun{.seed = 7, .script = r.failing_decisions});
  EXPECT_EQ(again.failures, r.failures);
}

TEST(Dpor, ADelayBoundCutsTheSpaceAndSaysSo) {
  std::set<std::string> outcomes;
  ExploreResult r = explore(senders_to_one(4, &outcomes), {.strategy = ExploreStrategy::dpor, .bound = 1, .max_schedules = 1'000'000, .stop_at_first = false});
  EXPECT_FALSE(r.exhausted) << "a bounded search that skipped alternatives is not exhaustive";
  EXPECT_LT(r.schedules, 24u);
  EXPECT_GT(r.schedules, 1u);
}

TEST(Dpor, JobsShareOneTreeAndCoverTheSameTraces) {  // S5
  // One job takes branches as sim::explore does: the same schedules. More jobs take them in
  // another order and must still cover every arrival order, and exhaust.
  for (int n = 3; n <= 5; ++n) {
    std::set<std::string> one, many;
    ExploreOptions o{.strategy = ExploreStrategy::dpor, .bound = kUnbounded, .max_schedules = 1'000'000, .stop_at_first = false};
    ExploreResult seq = explore(senders_to_one(n, &one), o);
    ExploreResult single = otp::testing::explore_dpor_jobs(senders_to_one(n), o, 1);
    EXPECT_EQ(single.schedules, seq.schedules) << n;
    std::mutex mu;
    RunSchedule inner = senders_to_one(n, &many);
    RunSchedule locked = [&](DecisionHook* h, uint64_t seed) {
      std::lock_guard lock(mu);  // (the outcome set is shared; the worlds are not)
      return inner(h, seed);
    };
    for (unsigned jobs : {2u, 4u}) {
      many.clear();
      ExploreResult par = otp::testing::explore_dpor_jobs(locked, o, jobs);
      EXPECT_TRUE(par.exhausted) << n << " senders, " << jobs << " jobs";
      EXPECT_EQ(many, one) << n << " senders, " << jobs << " jobs";
      EXPECT_GE(par.schedules, factorial(n));
    }
  }
}

TEST(Dpor, JobsStopAtTheFirstFailureAndItReplays) {  // S91
  Scenario s = load_scenario(scenario_path("down_before_exit.toml"));
  RunSchedule run = [&s](DecisionHook* h, uint64_t seed) {
    ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = seed, .hook = h});
    return ScheduleRun{o.failures, o.decisions};
  };
  ExploreResult r = otp::testing::explore_dpor_jobs(run, {.strategy = ExploreStrategy::dpor, .bound = kUnbounded, .max_schedules = 100}, 2);
  ASSERT_TRUE(r.first_failure_at.has_value());
  EXPECT_FALSE(r.exhausted);
  ScenarioOutcome again = run_scenario(s, ScenarioRun{.seed = 7, .script = r.failing_decisions});
  EXPECT_EQ(again.failures, r.failures);
}

namespace {

// Three processes' bodies, run under `hook`; the outcome is what P0 received and how each ended.
using ThreeBody = std::function<Proc(Process& self, const std::vector<Pid>& pids, std::string& seen)>;

RunSchedule three(std::array<ThreeBody, 3> bodies, std::set<std::string>* outcomes) {
  return [bodies, outcomes](DecisionHook* hook, uint64_t) {
    World w({.seed = 1, .hook = hook});
    std::vector<Pid> pids(3);
    std::string seen;
    w.spawn([&](Process& root) -> Proc {
      for (size_t p = 0; p < 3; ++p) pids[p] = root.spawn([&, p](Process& self) -> Proc { return bodies[p](self, pids, seen); });
      co_return;
    });
    w.run({.max_steps = 10'000});
    std::string out = "P0 saw [" + seen + "]";
    for (Pid p : pids) out += " " + (w.exit_reason(p) ? w.exit_reason(p)->to_string() : std::string("blocked"));
    outcomes->insert(out);
    return ScheduleRun{{}, w.executor().chooser().choices()};
  };
}

std::set<std::string> outcomes_of(const std::array<ThreeBody, 3>& bodies, ExploreStrategy s) {
  std::set<std::string> out;
  ExploreResult r = explore(three(bodies, &out), {.strategy = s, .bound = s == ExploreStrategy::dpor ? kUnbounded : 64,
                                                  .max_schedules = 100'000, .sleep_sets = false, .stop_at_first = false});
  EXPECT_TRUE(r.exhausted);
  return out;
}

}  // namespace

// S1 S5: a message arriving before a process's exit and one arriving after are different steps;
// if they commuted, a sleeping run of P0 (link, then a receive that finds nothing) would cover
// the schedule where P2's message arrives first and P0 receives it, and that outcome was lost.
TEST(Dpor, SleepSetsKeepTheRunThatReceivesALateArrival) {
  std::array<ThreeBody, 3> bodies{
      [](Process& self, const std::vector<Pid>& p, std::string& seen) -> Proc {
        self.link(p[1]);
        auto m = co_await self.receive_any(0);
        seen += m ? m->to_term().to_string() : "timeout";
      },
      [](Process& self, const std::vector<Pid>&, std::string&) -> Proc {
        self.trap_exit(true);
        co_await self.receive_any(0);
      },
      [](Process& self, const std::vector<Pid>& p, std::string&) -> Proc {
        self.monitor(p[1]);
        self.send(p[0], integer(2));
        co_return;
      }};
  std::set<std::string> all = outcomes_of(bodies, ExploreStrategy::dfs);
  EXPECT_TRUE(all.contains("P0 saw [2] normal normal normal"));
  EXPECT_EQ(outcomes_of(bodies, ExploreStrategy::dpor), all);
}

// S2 S3: a kill that lands before P0 runs turns P0's run into nothing; reversing that race must
// run P0 even though P0's run is asleep there, or the schedule where P0 links to an already
// dead P2 (exit noproc) before the kill arrives is never reached.
TEST(Dpor, SleepSetsKeepTheRunAKillWouldHaveEnded) {
  std::array<ThreeBody, 3> bodies{
      [](Process& self, const std::vector<Pid>& p, std::string&) -> Proc {
        self.link(p[2]);
        self.trap_exit(true);
        co_return;
      },
      [](Process& self, const std::vector<Pid>& p, std::string&) -> Proc {
        self.exit(p[0], atom("kill"));
        co_return;
      },
      [](Process& self, const std::vector<Pid>& p, std::string&) -> Proc {
        self.monitor(p[1]);
        co_await self.receive_any();
      }};
  std::set<std::string> all = outcomes_of(bodies, ExploreStrategy::dfs);
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const std::string& o) { return o.starts_with("P0 saw [] noproc"); }));
  EXPECT_EQ(outcomes_of(bodies, ExploreStrategy::dpor), all);
}
