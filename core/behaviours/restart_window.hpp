#pragma once
// S28's restart bookkeeping, shared by Supervisor and DynamicSupervisor: restart times in
// whole seconds, oldest first, pruned from the front (O(1) amortised; OTP walks a list).
#include <cstdint>
#include <deque>

namespace otp {

class RestartWindow {
 public:
  explicit RestartWindow(int64_t max_seconds) : max_seconds_(max_seconds) {}
  // Records a restart at now_ms; returns how many restarts the window now holds. A timestamp
  // equal to now - max_seconds is kept.
  int64_t record(int64_t now_ms) {
    int64_t now_s = now_ms / 1000;
    times_.push_back(now_s);
    while (times_.front() < now_s - max_seconds_) times_.pop_front();
    return static_cast<int64_t>(times_.size());
  }

 private:
  int64_t max_seconds_;
  std::deque<int64_t> times_;
};

}  // namespace otp
