// Same scenario + seed => byte-identical trace (S91); replay from a decision list (S91).
#include <gtest/gtest.h>

#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

// A small tangle: racing senders, links, monitors, timers and a crash.
void tangle(World& w) {
  w.spawn([](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<Pid> kids;
    for (int i = 0; i < 4; ++i) {
      kids.push_back(self.spawn_link([i](Process& s) -> Proc {
        co_await s.sleep(i * 3);
        if (i == 2) throw std::runtime_error("kid crashed");
        s.send(s.parent(), integer(i));
      }));
    }
    self.monitor(kids[0]);
    for (int i = 0; i < 9; ++i) co_await self.receive_any(100);
  });
}

}  // namespace

TEST(Determinism, SameSeedSameTraceHash) {  // S91
  for (uint64_t seed : {1ULL, 7ULL, 42ULL, 1000ULL}) {
    World a({.seed = seed, .trace = true});
    World b({.seed = seed, .trace = true});
    tangle(a);
    tangle(b);
    a.run();
    b.run();
    EXPECT_EQ(a.trace_hash(), b.trace_hash());
    EXPECT_EQ(a.trace_lines(), b.trace_lines());
  }
}

TEST(Determinism, DifferentSeedsExploreDifferentInterleavings) {  // S5, S91
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w({.seed = seed, .trace = true});
    tangle(w);
    w.run();
    hashes.insert(w.trace_hash());
  }
  EXPECT_GT(hashes.size(), 1u);
}

TEST(Determinism, ReplayFromDecisionListReproducesTheRun) {  // S91
  World original({.seed = 99, .trace = true});
  tangle(original);
  original.run();
  World replay({.seed = 0, .script = original.executor().chooser().choices(), .trace = true});
  tangle(replay);
  replay.run();
  EXPECT_EQ(original.trace_hash(), replay.trace_hash());
  EXPECT_FALSE(replay.executor().chooser().replay_diverged());
}

// The simulator is fair as the BEAM's scheduler is: a schedule that always takes the first
// option (a replay past its script: here an empty script) would run a process that keeps itself
// busy forever and never deliver the kill in flight that ends its wait. An option waiting
// 4,096 + 64 per option steps is taken next.
TEST(Determinism, AStarvedSignalIsDeliveredUnderTheFirstOptionSchedule) {  // S5, S90
  for (bool spinner_first : {true, false}) {
    World w({.seed = 1, .script = std::vector<uint32_t>{}});
    Pid victim, spinner;
    uint64_t turns = 0;
    w.spawn([&](Process& self) -> Proc {
      victim = self.spawn([](Process& v) -> Proc { co_await v.receive_any(); });
      auto spin = [&](Process& s) -> Proc {
        while (s.node().alive(victim)) {  // busy until the kill lands
          ++turns;
          co_await s.yield();
        }
      };
      if (spinner_first) spinner = self.spawn(spin);
      self.exit(victim, atom("kill"));
      if (!spinner_first) spinner = self.spawn(spin);
      co_return;
    });
    auto r = w.run({.max_steps = 1'000'000});
    EXPECT_EQ(r.stop, sim::StopReason::quiescent) << "spinner first: " << spinner_first;
    EXPECT_EQ(w.exit_reason(victim), atom("killed"));
    EXPECT_LE(turns, 4096u + 64u * 2u + 8u) << "spinner first: " << spinner_first;
  }
}
