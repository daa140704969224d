#pragma once
// SupervisedTest: ExUnit's start_supervised! for GoogleTest. Each test gets a fresh simulated
// world and a test supervisor; children started through it are stopped in reverse order when
// the test body ends. A test that leaves processes, timers or unconsumed crash reports
// (supervisor child_terminated / start_error) behind fails with a list of them.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::testing {

class SupervisedTest : public ::testing::Test {
 protected:
  explicit SupervisedTest(uint64_t seed = 1) : world_({.seed = seed, .trace = true}) {}

  // Runs `body` as the test process; returns when the world is quiet again.
  void run(std::function<Task<void>(Process&)> body) {
    world_.spawn([this, body = std::move(body)](Process& self) -> Proc {
      self.trap_exit(true);
      StartResult r = co_await supervisor::start_link(self, {.max_restarts = 1'000'000, .max_seconds = 1}, {});
      sup_ = r.pid;
      co_await body(self);
      // Stop the test supervisor: its children go in reverse start order (S23).
      Ref mon = self.monitor(sup_);
      self.unlink(sup_);
      self.exit(sup_, reasons::shutdown());
      co_await self.receive(down_of(mon));
      finished_ = true;
    });
    auto r = world_.run({.max_steps = 5'000'000});
    ASSERT_NE(r.stop, sim::StopReason::step_limit) << "the test never went quiet";
    ASSERT_TRUE(finished_) << "the test body did not finish; blocked:\n" << world_.blocked_report();
  }

  // start_supervised!: the child's pid, or the test process exits with the start error.
  Task<Pid> start_supervised(Process& self, ChildSpec spec) {
    Term r = co_await supervisor::start_child(self, sup_, std::move(spec));
    if (!r.is_tuple() || !r[0].is_atom("ok") || !r[1].is_pid())
      throw Exit(tuple(atom("start_supervised_failed"), r));
    co_return r[1].pid();
  }

  Pid test_supervisor() const { return sup_; }
  sim::World& world() { return world_; }

  // Acknowledge crash reports the test caused on purpose; returns how many were taken.
  size_t consume_crash_reports() {
    size_t n = unconsumed().size();
    consumed_ += n;
    return n;
  }

  void TearDown() override {
    std::string leaks;
    for (Pid p : world_.node().live_pids())
      leaks += "  process " + Term(p).to_string() + ": " + world_.node().find(p)->describe_wait() + "\n";
    if (world_.executor().pending_timers() > 0)
      leaks += "  " + std::to_string(world_.executor().pending_timers()) + " timer(s) still pending\n";
    for (const auto& c : unconsumed()) leaks += "  crash report: " + c + "\n";
    EXPECT_TRUE(leaks.empty()) << "the test left things behind:\n" << leaks;
  }

 private:
  std::vector<std::string> unconsumed() const {
    std::vector<std::string> out;
    for (const auto& l : world_.trace_lines())
      if (l.find("\"report\":\"child_terminated\"") != std::string::npos ||
          l.find("\"report\":\"start_error\"") != std::string::npos)
        out.push_back(l);
    out.erase(out.begin(), out.begin() + static_cast<ptrdiff_t>(std::min(consumed_, out.size())));
    return out;
  }

  sim::World world_;
  Pid sup_{};
  bool finished_ = false;
  size_t consumed_ = 0;
};

}  // namespace otp::testing
