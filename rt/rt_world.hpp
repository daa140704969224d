#pragma once
// RtWorld: a node on real threads — what you ship. The same processes, behaviours and
// supervisors as sim::World, with wall-clock time.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include <otpsim/core/kernel/node.hpp>
#include <otpsim/rt/rt_executor.hpp>

namespace otp::rt {

class RtWorld {
 public:
  // threads: 0 = one per hardware thread, else 1..RtExecutor::kMaxThreads (1,024; more throws
  // std::invalid_argument). share_after: see RtExecutor (0: idle workers steal any backlog at once).
  explicit RtWorld(unsigned threads = 0, std::chrono::nanoseconds share_after = RtExecutor::kShareAfter);
  ~RtWorld();  // stops the threads, then destroys every process still alive
  RtWorld(const RtWorld&) = delete;
  RtWorld& operator=(const RtWorld&) = delete;

  Node& node() { return *node_; }
  RtExecutor& executor() { return exec_; }
  Pid spawn(Body body) { return node_->spawn(std::move(body)); }
  bool alive(Pid pid) const { return node_->alive(pid); }
  std::optional<Term> exit_reason(Pid pid) const { return node_->exit_reason(pid); }

  // Until the process has exited; false if `timeout` passed first.
  bool wait_exit(Pid pid, std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // Until nothing is runnable, in flight or timed.
  void wait_idle() { exec_.wait_idle(); }
  // The same, false if the world was still busy after `timeout`.
  bool wait_idle_for(std::chrono::milliseconds timeout) { return exec_.wait_idle_for(timeout); }

 private:
  RtExecutor exec_;
  std::unique_ptr<Node> node_;
  // The pids wait_exit waits for (0: a free place), read by every exit without a lock: the
  // lock on each exit was a line passed between the cores on every process's end. A wait that
  // finds no free place counts in `crowded_`, and then every exit wakes the waiters.
  static constexpr size_t kWatchPlaces = 8;
  std::array<std::atomic<uint64_t>, kWatchPlaces> watched_{};
  std::atomic<uint32_t> crowded_{0};
  std::mutex mu_;
  std::condition_variable exited_;
  void exit_seen(Pid pid);
};

}  // namespace otp::rt
