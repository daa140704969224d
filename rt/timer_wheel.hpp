#pragma once
// A hashed timer wheel (1 ms ticks, 1024 slots) driven by the steady clock on its own thread.
// Due timers are handed to `fire` (which enqueues them to their process); the wheel never
// touches processes itself.
#include <condition_variable>
#include <cstdint>
#include <functional>
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
  size_t pending() const;

 private:
  static constexpr size_t kSlots = 1024;
  struct Entry {
    uint64_t id;
    int64_t deadline_ms;
    TimerTarget target;
  };
  void loop();

  Clock now_;
  Fire fire_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<Entry>> slots_;
  std::unordered_map<uint64_t, size_t> where_;  // id -> slot
  uint64_t next_id_ = 1;
  int64_t processed_ms_;  // every tick up to here has fired
  bool stop_ = false;
  bool idle_ = false;          // the thread sleeps until a timer is armed
  int64_t last_used_ms_ = 0;   // when the wheel last held a timer
  std::thread thread_;
};

}  // namespace otp::rt
