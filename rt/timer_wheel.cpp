#include "rt/timer_wheel.hpp"

#include <algorithm>
#include <chrono>

namespace otp::rt {

TimerWheel::TimerWheel(Clock now, Fire fire) : now_(std::move(now)), fire_(std::move(fire)), processed_ms_(now_()) {
  for (size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
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
  uint64_t id = next_id_.fetch_add(1);
  Shard& sh = *shards_[id % kShards];
  {
    std::lock_guard lock(sh.mu);
    // A deadline already passed fires on the next tick (never in the past, never lost).
    int64_t at = std::max(deadline_ms, processed_ms_.load() + 1);
    size_t s = static_cast<size_t>(at) % kSlots;
    sh.slots[s].push_back({id, at, target});
    sh.where.emplace(id, s);
  }
  pending_.fetch_add(1);
  // The thread polls every half tick while timers are in use and sleeps indefinitely only
  // after a quiet second, so only then does a timer need to wake it.
  std::lock_guard lock(mu_);
  if (idle_) cv_.notify_one();
  return id;
}

bool TimerWheel::cancel(uint64_t id) {
  Shard& sh = *shards_[id % kShards];
  std::lock_guard lock(sh.mu);
  auto it = sh.where.find(id);
  if (it == sh.where.end()) return false;
  auto& slot = sh.slots[it->second];
  auto e = std::find_if(slot.begin(), slot.end(), [id](const Entry& x) { return x.id == id; });
  *e = slot.back();
  slot.pop_back();
  sh.where.erase(it);
  pending_.fetch_sub(1);
  return true;
}

void TimerWheel::collect(Shard& sh, int64_t from_ms, int64_t to_ms, std::vector<TimerTarget>& due) {
  std::lock_guard lock(sh.mu);
  auto take = [&](std::vector<Entry>& slot, int64_t upto) {
    for (size_t i = 0; i < slot.size();) {
      if (slot[i].deadline_ms <= upto) {
        due.push_back(slot[i].target);
        sh.where.erase(slot[i].id);
        slot[i] = slot.back();
        slot.pop_back();
        pending_.fetch_sub(1);
      } else {
        ++i;
      }
    }
  };
  if (to_ms - from_ms >= static_cast<int64_t>(kSlots)) {
    for (auto& slot : sh.slots) take(slot, to_ms);  // a long stall: one pass over every slot
  } else {
    // Each elapsed tick once; a slot holds timers of every lap, so compare deadlines.
    for (int64_t t = from_ms + 1; t <= to_ms; ++t) take(sh.slots[static_cast<size_t>(t) % kSlots], t);
  }
}

void TimerWheel::loop() {
  std::vector<TimerTarget> due;
  for (;;) {
    int64_t now = now_();
    int64_t from = processed_ms_.load();
    if (now > from) {
      for (auto& sh : shards_) collect(*sh, from, now, due);
      processed_ms_.store(now);
    }
    for (const auto& d : due) fire_(d);
    due.clear();
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (pending_.load() > 0) last_used_ms_.store(now);
    if (pending_.load() > 0 || now - last_used_ms_.load() < 1000) {
      cv_.wait_for(lock, std::chrono::microseconds(500));
    } else {
      idle_ = true;
      cv_.wait(lock, [&] { return stop_ || pending_.load() > 0; });
      idle_ = false;
    }
    if (stop_) return;
  }
}

}  // namespace otp::rt
