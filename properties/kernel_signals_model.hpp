#pragma once
// kernel-signals (S1-S4) as parts both executors run: the drawn case (processes that link,
// monitor, trap exits, exit themselves and send exit signals to each other), the actor that
// carries out each step, and the reference model its EXIT and DOWN messages and its processes'
// exit reasons are compared with, step by step. kernel_signals_suite runs it on the simulator,
// rt_suite on the threaded executor.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <otpsim/core/kernel/process.hpp>
#include <otpsim/sim/draws.hpp>

namespace otp::properties::kernel_signals {

enum class Op : uint8_t { link, monitor, trap_on, trap_off, exit_self, send_exit };

struct Step {
  Op op;
  int a, b;    // actor a does op (on b)
  Term reason;
};

struct Case {
  int n = 2;
  std::vector<Step> steps;
  uint64_t seed = 1;
};

Case draw(sim::Draws& d);
std::string describe(const Case& c);

// What a driver sends actor `step.a` to make it take the step.
struct Cmd {
  Step step;
  Term to_term() const;
};

// The EXIT and DOWN messages the actors took, as "i EXIT j reason" / "i DOWN j reason" lines;
// actors on several threads add to it.
class SignalLog {
 public:
  void add(std::string line) {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mu_);
    return std::exchange(lines_, {});
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// Actor i: logs each EXIT and DOWN it takes and carries out each Cmd (pids: every actor's).
Proc actor(Process& me, int i, const std::vector<Pid>& pids, SignalLog& log);

// What was seen after each step (`seen[k]`, any order) and how each actor ended (`ended(i)`:
// "alive" or its exit reason), against the model; a failure says where they part.
std::optional<std::string> compare_with_model(const Case& c, std::vector<std::vector<std::string>> seen,
                                              const std::function<std::string(int)>& ended);

}  // namespace otp::properties::kernel_signals
