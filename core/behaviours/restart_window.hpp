#pragma once
// S28's restart bookkeeping, shared by Supervisor and DynamicSupervisor: restart times in
// whole seconds, oldest first, pruned from the front (O(1) amortised; OTP walks a list).
// Restarts in the same second share one entry (second, count), so the window holds at most
// max_seconds + 1 entries however fast a storm restarts: a storm of 850,000 restarts a second
// kept 1.7 million timestamps (14 MB) when each had its own.
#include <cstdint>
#include <deque>
#include <utility>

namespace otp {

class RestartWindow {
 public:
  explicit RestartWindow(int64_t max_seconds) : max_seconds_(max_seconds) {}
  // Records a restart at now_ms; returns how many restarts the window now holds. A timestamp
  // equal to now - max_seconds is kept.
  int64_t record(int64_t now_ms) {
    int64_t now_s = now_ms / 1000;
    if (!times_.empty() && times_.back().first == now_s)
      ++times_.back().second;
    else
      times_.emplace_back(now_s, 1);
    ++count_;
    while (!times_.empty() && times_.front().first < now_s - max_seconds_) {
      count_ -= times_.front().second;
      times_.pop_front();
    }
    return count_;
  }

 private:
  int64_t max_seconds_;
  int64_t count_ = 0;
  std::deque<std::pair<int64_t, int64_t>> times_;  // (second, restarts in it)
};

}  // namespace otp
