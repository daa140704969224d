#pragma once
// AccessObserver: what a step of a process touches beyond its own state — another process's
// liveness, a registered name, an application env key, the pid allocator. The simulator's
// partial-order reduction (sim/dpor.cpp) decides from these whether two steps commute. The
// threaded executor sets none: every hook below is one predictable branch there.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <otpsim/core/kernel/term.hpp>

namespace otp {

class AccessObserver {
 public:
  virtual ~AccessObserver() = default;
  // A read commutes with another read of the same object; a write with nothing on it.
  virtual void touch(uint64_t object, bool write) = 0;
  virtual void spawned(Pid pid) = 0;
  // A process's mailbox, message by message: an arrival appended (or handed straight to the
  // waiting receive), the message at `index` taken (kHanded: the one handed over), the whole
  // mailbox looked at (a receive `after 0` that found nothing). An arrival and a take commute
  // unless they are the same message; arrivals to one mailbox never commute.
  static constexpr size_t kHanded = SIZE_MAX;
  virtual void mailbox_push(Pid to, bool handed) = 0;
  virtual void mailbox_take(Pid of, size_t index) = 0;
  void mailbox_scan(Pid of) { touch(mailbox(of), false); }

  // Object ids: (part << 56) | the pid's id (pid ids are below 2^56), or for a name, an env
  // key, a message and the pid allocator, (part << 56) | a hash or number.
  // The sets (links, watchers, monitoring, aliases) are written whole only by the exit; adding
  // or removing one element reads the set and writes that element, so changes to different
  // elements commute.
  enum class Part : uint8_t { life, mailbox, trap, links, watchers, monitoring, aliases, message, name, env, spawner, element };
  static constexpr uint64_t of(Part part, uint64_t n) { return (uint64_t{static_cast<uint8_t>(part)} << 56) | (n & kLow); }
  static uint64_t process(Pid p) { return of(Part::life, p.id); }  // alive or not, running or not
  static uint64_t mailbox(Pid p) { return of(Part::mailbox, p.id); }
  static uint64_t name(std::string_view n) { return of(Part::name, fnv(n)); }
  static uint64_t env(std::string_view app, std::string_view key) { return of(Part::env, fnv(app) ^ (fnv(key) * 31)); }
  static constexpr uint64_t kSpawner = uint64_t{static_cast<uint8_t>(Part::spawner)} << 56;  // pids are handed out in order
  static uint64_t message(uint64_t step) { return of(Part::message, step); }
  static uint64_t element(Part set, uint64_t owner, uint64_t key) {
    uint64_t h = (owner * 0x9e3779b97f4a7c15ull) ^ (key + 0x632be59bd9b4e019ull + (uint64_t{static_cast<uint8_t>(set)} << 40));
    return of(Part::element, h ^ (h >> 29));
  }

 private:
  static constexpr uint64_t kLow = (uint64_t{1} << 56) - 1;
  static uint64_t fnv(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
  }
};

}  // namespace otp
