// The parallel workloads (bench/workloads.hpp: W7 pairs, W8 restart storms side by side, W9
// fan-out/fan-in, and its bare form) on two workers, sharing as the executor chooses and sharing everything at once
// (share_after 0), with what each run must leave: every process it spawned, and none alive. The
// TSan preset runs these: they are the loads that spread over the workers.
#include <gtest/gtest.h>

#include <otpsim/bench/workloads.hpp>
#include <otpsim/rt/rt_world.hpp>

using namespace otp;

namespace {

struct Shape {
  const char* name;
  std::chrono::nanoseconds share_after;
};

class RtWorkloads : public ::testing::TestWithParam<Shape> {
 protected:
  // Runs `body` as the root of a fresh RtWorld(2); the root must end normally, having spawned
  // `spawned` processes with itself, and leave none alive.
  void run(Body body, uint64_t spawned) {
    rt::RtWorld w(2, GetParam().share_after);
    Pid root = w.spawn(std::move(body));
    ASSERT_TRUE(w.wait_exit(root, std::chrono::minutes(2))) << "the workload did not finish";
    w.wait_idle();
    EXPECT_EQ(w.exit_reason(root), reasons::normal());
    EXPECT_EQ(w.node().spawned_count(), spawned);
    EXPECT_EQ(w.node().live_count(), 0u);
  }
};

// S5: each pair's ping and pong alternate; the root hears from every pair.
TEST_P(RtWorkloads, ParallelPairsEachFinish) {
  constexpr int64_t kPairs = 50, kRounds = 200;
  run(bench::w7_parallel_pairs(kPairs, kRounds), 1 + 2 * kPairs);
}

// S25, S23: each driver's supervisor restarts exactly the killed child, every time, and shuts
// its children down at the end.
TEST_P(RtWorkloads, ParallelRestartStormsEachRestartEveryKill) {
  constexpr int64_t kSups = 8, kKills = 50;
  run(bench::w8_parallel_storms(kSups, kKills), 1 + kSups * (1 + 1 + 10 + kKills));
}

// S50: every async task starts under the Task.Supervisor, replies and ends; the supervisor ends
// with its owner's shutdown.
TEST_P(RtWorkloads, FanOutFanInGathersEveryTask) {
  constexpr int64_t kRounds = 3, kTasks = 300;
  run(bench::w9_fan_out_in(kRounds, kTasks), 1 + 1 + kRounds * kTasks);
}

// S5: the peers' fan-out (spawn, one message back, exit): every result arrives.
TEST_P(RtWorkloads, BareFanOutFanInGathersEveryResult) {
  constexpr int64_t kRounds = 3, kTasks = 1000;
  run(bench::w9_bare_fan_out_in(kRounds, kTasks), 1 + kRounds * kTasks);
}

INSTANTIATE_TEST_SUITE_P(TwoWorkers, RtWorkloads,
                         ::testing::Values(Shape{"chosen", rt::RtExecutor::kShareAfter},
                                           Shape{"share_at_once", std::chrono::nanoseconds(0)}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
