// otpsim explore: deterministic exploration, exhaustion of a small correct scenario,
// sleep sets never missing what plain bounded DFS finds, and the rare bug found by PCT and dfs.
#include <gtest/gtest.h>

#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/scenario.hpp>

using namespace otp::sim;

namespace {

std::string scenario_path(const char* name) { return std::string(OTPSIM_SOURCE_DIR) + "/scenarios/explore/" + name; }

struct Recorder {
  Scenario s;
  std::vector<std::vector<uint32_t>> schedules;
  RunSchedule fn() {
    return [this](DecisionHook* h, uint64_t seed) {
      ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = seed, .hook = h});
      schedules.push_back(o.decisions);
      return ScheduleRun{o.failures, o.decisions};
    };
  }
};

}  // namespace

TEST(Explore, SameOptionsSameSchedules) {  // S91 for the explorer itself
  for (auto strategy : {ExploreStrategy::random, ExploreStrategy::pct, ExploreStrategy::dfs}) {
    Recorder a{load_scenario(scenario_path("one_for_all_two_crashes.toml")), {}};
    Recorder b{load_scenario(scenario_path("one_for_all_two_crashes.toml")), {}};
    ExploreOptions o{.strategy = strategy, .bound = 2, .max_schedules = 60, .seed = 5};
    auto ra = explore(a.fn(), o);
    auto rb = explore(b.fn(), o);
    EXPECT_EQ(a.schedules, b.schedules) << to_string(strategy);
    EXPECT_EQ(ra.distinct_schedules, rb.distinct_schedules);
  }
}

TEST(Explore, SmallCorrectScenarioIsExhaustedWithinTheBound) {  // S26, S28
  for (uint32_t bound : {1u, 2u, 3u}) {
    for (bool por : {true, false}) {
      Recorder r{load_scenario(scenario_path("one_for_all_two_crashes.toml")), {}};
      auto res = explore(r.fn(), {.strategy = ExploreStrategy::dfs, .bound = bound, .max_schedules = 100'000, .sleep_sets = por});
      EXPECT_TRUE(res.exhausted) << "bound " << bound;
      EXPECT_FALSE(res.first_failure_at.has_value()) << res.failures.front();
      EXPECT_EQ(res.distinct_schedules, res.schedules) << "dfs never runs one schedule twice";
    }
  }
}

TEST(Explore, SleepSetsFindWhatPlainDfsFinds) {
  for (const char* file : {"down_before_exit.toml", "one_for_all_two_crashes.toml"}) {
    for (uint32_t bound : {0u, 1u, 2u}) {
      Recorder plain{load_scenario(scenario_path(file)), {}};
      Recorder por{load_scenario(scenario_path(file)), {}};
      ExploreOptions o{.strategy = ExploreStrategy::dfs, .bound = bound, .max_schedules = 50'000, .sleep_sets = false, .stop_at_first = false};
      auto p = explore(plain.fn(), o);
      o.sleep_sets = true;
      auto q = explore(por.fn(), o);
      EXPECT_TRUE(p.exhausted && q.exhausted) << file << " bound " << bound;
      if (p.first_failure_at) EXPECT_TRUE(q.first_failure_at.has_value()) << file << " bound " << bound;
      if (bound == 2 && std::string(file) == "down_before_exit.toml") {
        // Sleep sets spend no delay on a forced choice, so within the same bound they reach the
        // rare bug that plain DFS does not.
        EXPECT_TRUE(q.first_failure_at.has_value());
        EXPECT_LT(q.schedules, p.schedules);
      }
    }
  }
}

TEST(Explore, FindsTheRareBugAndItsTokenReplays) {
  Scenario s = load_scenario(scenario_path("down_before_exit.toml"));
  for (auto strategy : {ExploreStrategy::pct, ExploreStrategy::dfs}) {
    Recorder r{s, {}};
    auto res = explore(r.fn(), {.strategy = strategy, .bound = 2, .max_schedules = 2000, .seed = 1});
    ASSERT_TRUE(res.first_failure_at.has_value()) << to_string(strategy);
    // The decision list alone reproduces it (what `otpsim replay` does with the token).
    ScenarioOutcome again = run_scenario(s, ScenarioRun{.seed = 999, .script = res.failing_decisions});
    EXPECT_FALSE(again.passed());
    EXPECT_FALSE(again.replay_diverged);
    EXPECT_EQ(again.failures, res.failures);
  }
}
