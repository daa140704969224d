#pragma once
// World: a simulated node and its executor, for tests, scenarios and property suites.
// Two worlds share nothing, so they can run side by side (even on different threads).
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <otpsim/core/kernel/node.hpp>
#include <otpsim/sim/sim_executor.hpp>

namespace otp::sim {

struct RunLimits {
  uint64_t max_steps = 50'000'000;  // a bound on everything: a livelock ends here
  int64_t until_ms = INT64_MAX;     // virtual time bound
  // Called after every step (invariant checks); returning false stops the run.
  std::function<bool()> after_step{};
};

enum class StopReason { quiescent, time_limit, step_limit, stopped };
const char* to_string(StopReason r);

struct RunResult {
  StopReason stop;
  uint64_t steps;    // steps taken by this call
  int64_t now_ms;
};

class World {
 public:
  explicit World(const SimOptions& opts = {});
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  Node& node() { return *node_; }
  SimExecutor& executor() { return exec_; }
  int64_t now_ms() const { return exec_.now_ms(); }

  Pid spawn(Body body) { return node_->spawn(std::move(body)); }
  RunResult run(RunLimits limits = {});
  // Runs ms more of virtual time (saturating at the end of time); a negative ms throws.
  RunResult run_for(int64_t ms) {
    if (ms < 0) throw std::invalid_argument("World::run_for: negative duration " + std::to_string(ms));
    return run({.until_ms = deadline_after(now_ms(), ms)});
  }

  bool alive(Pid pid) const { return node_->alive(pid); }
  std::optional<Term> exit_reason(Pid pid) const { return node_->exit_reason(pid); }

  uint64_t trace_hash() const;
  const std::vector<std::string>& trace_lines() const;
  // Processes still alive when the world went quiet, and what each is blocked on: a line each,
  // after `indent`; `role` may name a process's part ("the test process") or return "".
  std::string blocked_report(const std::function<std::string(Pid)>& role = {}, const std::string& indent = "") const;

 private:
  SimExecutor exec_;
  std::unique_ptr<Node> node_;
};

}  // namespace otp::sim
