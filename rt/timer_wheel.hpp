#pragma once
// A hashed timer wheel (1 ms ticks, 1024 slots) driven by the steady clock on its own thread.
// Due timers are handed to `fire` (which enqueues them to their process); the wheel never
// touches processes itself. Sharded by timer id, each shard with its own lock: every
// GenServer call arms and cancels a timeout, from every worker thread at once.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/executor.hpp"

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

 private:
  static constexpr size_t kSlots = 1024, kShards = 16;
  struct Entry {
    uint64_t id;
    int64_t deadline_ms;
    TimerTarget target;
  };
  struct Shard {
    std::mutex mu;
    std::vector<std::vector<Entry>> slots = std::vector<std::vector<Entry>>(kSlots);
    std::unordered_map<uint64_t, size_t> where;  // id -> slot
  };
  void loop();
  void collect(Shard& sh, int64_t from_ms, int64_t to_ms, std::vector<TimerTarget>& due);

  Clock now_;
  Fire fire_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> processed_ms_;  // every tick up to here has fired
  std::atomic<int64_t> last_used_ms_{0};
  std::mutex mu_;  // the thread's sleep
  std::condition_variable cv_;
  bool idle_ = false;  // guarded by mu_: the thread sleeps until a timer is armed
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace otp::rt
