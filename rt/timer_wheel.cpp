#include <otpsim/rt/timer_wheel.hpp>

#include <algorithm>
#include <cassert>
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

size_t TimerWheel::my_shard() {
  // Each thread arms into its own shard (round robin over threads), so two workers arming
  // at once do not meet on a lock.
  thread_local const TimerWheel* owner = nullptr;
  thread_local size_t shard = 0;
  if (owner != this) {
    owner = this;
    shard = next_shard_.fetch_add(1) % kShards;
  }
  return shard;
}

uint64_t TimerWheel::arm(int64_t deadline_ms, TimerTarget target) {
  const uint64_t order =
      target.kind == TimerTarget::Kind::message ? messages_armed_.fetch_add(1, std::memory_order_relaxed) + 1 : 0;
  size_t shard = my_shard();
  Shard& sh = *shards_[shard];
  uint64_t id;
  {
    std::lock_guard lock(sh.mu);
    // A deadline already passed fires on the next tick (never in the past, never lost).
    int64_t at = std::max(deadline_ms, processed_ms_.load() + 1);
    size_t s = static_cast<size_t>(at) % kSlots;
    id = (++sh.serial << (kSlotBits + kShardBits)) | (s << kShardBits) | shard;
    sh.slots[s].push_back({id, at, order, target});
    ++sh.pending;
  }
  // Pairs with loop(): either its scan sees this timer, or we see the time it sleeps until
  // (or that it is about to) and wake it if this timer is due before that. No shared counter
  // on this path: only a load, and the lock when the wheel must wake.
  if (deadline_ms < wake_at_ms_.load()) {
    std::lock_guard lock(mu_);
    poked_ = true;
    cv_.notify_one();
  }
  return id;
}

bool TimerWheel::cancel(uint64_t id) {
  Shard& sh = *shards_[id & (kShards - 1)];
  auto& slot = sh.slots[(id >> kShardBits) & (kSlots - 1)];
  std::lock_guard lock(sh.mu);
  auto e = std::find_if(slot.begin(), slot.end(), [id](const Entry& x) { return x.id == id; });
  if (e == slot.end()) return false;
  *e = slot.back();
  slot.pop_back();
  --sh.pending;
  return true;
}

int64_t TimerWheel::pending() {
  int64_t n = 0;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh->mu);
    n += sh->pending;
  }
  return n + firing_.load();
}

void TimerWheel::collect(Shard& sh, int64_t from_ms, int64_t to_ms, std::vector<Entry>& due) {
  std::lock_guard lock(sh.mu);
  auto take = [&](std::vector<Entry>& slot, int64_t upto) {
    for (size_t i = 0; i < slot.size();) {
      if (slot[i].deadline_ms <= upto) {
        due.push_back(slot[i]);  // (loop sorts what is due: the slot keeps no order)
        firing_.fetch_add(1);    // before the shard's count drops: pending() never misses it
        slot[i] = slot.back();
        slot.pop_back();
        --sh.pending;
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

// The first tick after from_ms whose slot holds a timer in some shard, looking one lap ahead
// (a slot holds timers of every lap: one found there may be due a lap later, and then the
// thread wakes once for nothing); kNever if no shard holds any. `armed` is set to the number of
// timers ever armed (the shards' serials).
int64_t TimerWheel::next_occupied_tick(int64_t from_ms, uint64_t& armed) {
  int64_t next = kNever;
  bool any = false;
  armed = 0;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh->mu);
    armed += sh->serial;
    if (sh->pending == 0) continue;
    any = true;
    for (int64_t t = from_ms + 1; t <= from_ms + static_cast<int64_t>(kSlots) && t < next; ++t)
      if (!sh->slots[static_cast<size_t>(t) % kSlots].empty()) next = t;
  }
  assert((next != kNever || !any) && "a pending timer sits in some slot");
  return any ? next : kNever;
}

void TimerWheel::loop() {
  std::vector<Entry> due;
  uint64_t armed_seen = 0;
  for (;;) {
    int64_t now = now_();
    int64_t from = processed_ms_.load();
    if (now > from) {
      // Said before the sweep: an arm from here on puts a deadline already past at now + 1,
      // not in a slot of (from, now] that the sweep below may have left already (it would
      // wait a lap there).
      processed_ms_.store(now);
      for (auto& sh : shards_) collect(*sh, from, now, due);
      from = now;
    }
    // S90, as on the BEAM (measured): in one ms, a receive's timeout goes before the message
    // timers (its process then finds their messages in its mailbox after the `after` clause),
    // and message timers go in the order they were armed (a process's own keep their order).
    std::sort(due.begin(), due.end(), [](const Entry& a, const Entry& b) {
      return a.deadline_ms != b.deadline_ms ? a.deadline_ms < b.deadline_ms : a.order < b.order;
    });
    for (const auto& d : due) {
      fire_(d.target);
      firing_.fetch_sub(1);
    }
    due.clear();
    std::unique_lock lock(mu_);
    if (stop_) return;
    // Said before the scan (seq_cst, as arm's load): an arm the scan misses sees it and pokes.
    wake_at_ms_.store(kNever);
    uint64_t armed = 0;
    int64_t next = next_occupied_tick(from, armed);
    // Nothing pending, but timers were armed since the last look (calls arm and cancel their
    // timeouts, so pending drops to 0 between calls): look again in a lap, so that the next
    // call's arm (its deadline seconds away) need not wake this thread. Only after a lap
    // without any arm does it sleep until one comes.
    if (next == kNever && armed != armed_seen) next = from + static_cast<int64_t>(kSlots);
    armed_seen = armed;
    wake_at_ms_.store(next);
    auto poked = [&] { return stop_ || poked_; };
    if (next == kNever) {
      cv_.wait(lock, poked);
    } else {
      // Whole milliseconds of the clock: waking a little early only costs a look.
      cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, next - now_())), poked);
    }
    poked_ = false;
    wake_at_ms_.store(kAwake);  // it scans again before it sleeps: an arm need not wake it
    if (stop_) return;
  }
}

}  // namespace otp::rt
