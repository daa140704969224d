#pragma once
// The executor boundary: the only door from core/ to time and scheduling (DESIGN.md).
// sim/ implements it with virtual time and a seeded Chooser; rt/ with threads and a clock.
#include <cstdint>
#include <string_view>

#include <otpsim/core/kernel/signal.hpp>
#include <otpsim/core/kernel/trace_sink.hpp>

namespace otp {

using Timeout = int64_t;            // milliseconds
inline constexpr Timeout infinity = -1;
// A timeout as exit reasons print it ({timeout, {Mod, Fun, [..., T]}}): infinity or the ms.
inline Term timeout_term(Timeout t) { return t == infinity ? atom("infinity") : integer(t); }

// The end of time: a deadline past it never comes, so a timer for it is never armed and a
// receive that would wait for it waits as with `infinity`. (OTP rejects `receive after` above
// 2^32-1 ms with timeout_value; here any non-negative timeout is accepted and never wraps.)
inline constexpr int64_t kNeverMs = INT64_MAX;
// now + ms without overflow: kNeverMs when the sum would pass the end of time.
constexpr int64_t deadline_after(int64_t now_ms, int64_t ms) {
  return ms >= kNeverMs - now_ms ? kNeverMs : now_ms + ms;
}

struct TimerTarget {
  enum class Kind : uint8_t { receive_timeout, message };
  Kind kind = Kind::receive_timeout;
  Pid pid;
  uint64_t token = 0;  // receive generation (receive_timeout) or timer ref id (message)
  Pid armed_by{};      // message: the process that set it (its timers due at once fire in order)
  // message: to a registered name, looked up when it fires; `pid` is then none (the destination
  // is not known yet), and a multithreaded executor fires it where `armed_by` runs.
  bool by_name = false;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual int64_t now_ms() const = 0;
  // The process has work to do; the executor will call Node::run(pid) once for it.
  virtual void make_runnable(Pid pid) = 0;
  // A new process that starts a group of its own (a supervisor: its tree talks mostly within
  // itself): a multithreaded executor may start it on another thread than its spawner's.
  virtual void make_runnable_apart(Pid pid) { make_runnable(pid); }
  // Hand a signal over for delivery; the executor calls Node::deliver(signal) later,
  // keeping signals of one (from, to) pair in order (S5).
  virtual void send(Signal&& signal) = 0;
  // Arm a timer; the executor calls Node::fire_timer(target) at or after deadline_ms
  // (now <= deadline_ms < kNeverMs: callers do not arm timers for the end of time).
  virtual uint64_t arm_timer(int64_t deadline_ms, TimerTarget target) = 0;
  // true if the timer was still pending (it will then never fire).
  virtual bool cancel_timer(uint64_t timer_id) = 0;
  // A named fault point (FoundationDB's BUGGIFY): the simulator may say "inject here".
  virtual bool fault(std::string_view point) = 0;
  // Where trace events go; nullptr when tracing is off (the common case on rt).
  virtual TraceSink* trace() = 0;
  // True when processes run on several threads at once (rt/): the Node then locks its
  // node-wide tables. A process itself always runs on one thread at a time.
  virtual bool concurrent() const { return false; }
  // Node-wide counts, the free-slot stack and reference numbers are kept per shard, so that
  // spawns, exits and make_ref on different cores write different cache lines. A multithreaded
  // executor gives each of its threads a shard of its own and every other thread the last one;
  // shards() is fixed from construction, shard() < shards() on every thread.
  virtual unsigned shards() const { return 1; }
  virtual unsigned shard() const { return 0; }
};

}  // namespace otp
