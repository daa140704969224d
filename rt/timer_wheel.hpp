#pragma once
// A hashed timer wheel (1 ms ticks, 1024 slots) driven by the steady clock on its own thread.
// Due timers are handed to `fire` (which enqueues them to their process); the wheel never
// touches processes itself. Every GenServer call arms and cancels a timeout, from every worker
// thread at once, so arming and cancelling take no shared lock and no shared counter: each
// thread arms into a shard of its own, and a timer's id says its shard and slot, so a cancel
// (from any thread) goes straight there.
// The thread sleeps until the next tick whose slot holds a timer (a lap at most while timers
// are in use, indefinitely after a lap without any), and an arm wakes it only when it comes
// before that: a third thread waking every half tick on a two-core machine took a core from a
// worker 2,000 times a second, and W7 on two workers ran at half its speed in the runs where
// the scheduler put it on a busy core.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <otpsim/core/kernel/executor.hpp>

namespace otp::rt {

class TimerWheel {
 public:
  using Clock = std::function<int64_t()>;                // now, in ms
  using Fire = std::function<void(const TimerTarget&)>;  // called on the wheel's thread
  TimerWheel(Clock now, Fire fire);
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  uint64_t arm(int64_t deadline_ms, TimerTarget target);
  bool cancel(uint64_t id);  // true if it was pending (it will then never fire)
  // Timers armed and not yet handed to `fire` (or being handed over right now).
  int64_t pending();

 private:
  static constexpr size_t kSlotBits = 10, kShardBits = 4;
  static constexpr size_t kSlots = size_t{1} << kSlotBits, kShards = size_t{1} << kShardBits;
  struct Entry {
    uint64_t id;
    int64_t deadline_ms;
    uint64_t order;  // 0 for a receive's timeout, else the message timer's place among all armed
    TimerTarget target;
  };
  struct alignas(64) Shard {
    std::mutex mu;
    std::vector<std::vector<Entry>> slots = std::vector<std::vector<Entry>>(kSlots);
    uint64_t serial = 0;  // guarded by mu: ids are (serial, slot, shard)
    int64_t pending = 0;  // guarded by mu
  };
  void loop();
  void collect(Shard& sh, int64_t from_ms, int64_t to_ms, std::vector<Entry>& due);
  int64_t next_occupied_tick(int64_t from_ms, uint64_t& armed);
  size_t my_shard();

  Clock now_;
  Fire fire_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<size_t> next_shard_{0};
  std::atomic<uint64_t> messages_armed_{0};  // message timers only: the node's lock orders them anyway
  std::atomic<int64_t> firing_{0};     // taken out of a shard, not yet handed to fire_
  std::atomic<int64_t> processed_ms_;  // every tick up to here has fired
  std::mutex mu_;  // the thread's sleep
  std::condition_variable cv_;
  static constexpr int64_t kNever = INT64_MAX, kAwake = INT64_MIN;
  std::atomic<int64_t> wake_at_ms_{kAwake};  // when the sleeping thread looks next
  bool poked_ = false;                       // guarded by mu_: an arm came before wake_at_ms_
  bool stop_ = false;              // guarded by mu_
  std::thread thread_;
};

}  // namespace otp::rt
