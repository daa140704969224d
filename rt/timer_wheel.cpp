#include "rt/timer_wheel.hpp"

#include <algorithm>
#include <chrono>

namespace otp::rt {

TimerWheel::TimerWheel(Clock now, Fire fire)
    : now_(std::move(now)), fire_(std::move(fire)), slots_(kSlots), processed_ms_(now_()) {
  thread_ = std::thread([this] { loop(); });
}

TimerWheel::~TimerWheel() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t TimerWheel::arm(int64_t deadline_ms, TimerTarget target) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  // A deadline already passed fires on the next tick (never in the past, never lost).
  int64_t at = std::max(deadline_ms, processed_ms_ + 1);
  size_t s = static_cast<size_t>(at) % kSlots;
  slots_[s].push_back({id, at, target});
  where_.emplace(id, s);
  // The wheel's thread polls every half tick while timers are in use and sleeps indefinitely
  // only after a quiet second, so a timer needs a wake-up only then (a GenServer call arms and
  // cancels one per call: waking a thread for each would cost more than the call).
  if (idle_) cv_.notify_one();
  return id;
}

bool TimerWheel::cancel(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = where_.find(id);
  if (it == where_.end()) return false;
  auto& slot = slots_[it->second];
  slot.erase(std::find_if(slot.begin(), slot.end(), [id](const Entry& e) { return e.id == id; }));
  where_.erase(it);
  return true;
}

size_t TimerWheel::pending() const {
  std::lock_guard lock(mu_);
  return where_.size();
}

void TimerWheel::loop() {
  std::unique_lock lock(mu_);
  std::vector<TimerTarget> due;
  while (!stop_) {
    int64_t now = now_();
    if (where_.empty()) {
      processed_ms_ = std::max(processed_ms_, now);
      if (now - last_used_ms_ < 1000) {
        cv_.wait_for(lock, std::chrono::microseconds(500));
      } else {
        idle_ = true;
        cv_.wait(lock, [&] { return stop_ || !where_.empty(); });
        idle_ = false;
      }
      continue;
    }
    last_used_ms_ = now;
    auto collect = [&](std::vector<Entry>& slot, int64_t upto) {
      for (size_t i = 0; i < slot.size();) {
        if (slot[i].deadline_ms <= upto) {
          due.push_back(slot[i].target);
          where_.erase(slot[i].id);
          slot[i] = slot.back();
          slot.pop_back();
        } else {
          ++i;
        }
      }
    };
    if (now - processed_ms_ >= static_cast<int64_t>(kSlots)) {
      for (auto& slot : slots_) collect(slot, now);  // a long stall: one pass over every slot
    } else {
      // Visit each elapsed tick once; a slot holds timers of every lap, so compare deadlines.
      for (int64_t t = processed_ms_ + 1; t <= now; ++t) collect(slots_[static_cast<size_t>(t) % kSlots], t);
    }
    processed_ms_ = std::max(processed_ms_, now);
    if (!due.empty()) {
      lock.unlock();  // fire outside the lock: fire enqueues to processes
      for (const auto& d : due) fire_(d);
      due.clear();
      lock.lock();
      continue;
    }
    cv_.wait_for(lock, std::chrono::microseconds(500));
  }
}

}  // namespace otp::rt
