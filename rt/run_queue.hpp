#pragma once
// A worker's run queue of slot indices (a process's pid_index): a bounded ring the owning worker appends to, and that the
// owner and thieves take from the front with a compare-and-swap. No lock: with a mutex per
// queue, an idle worker polling for work contended with the busy worker on every push and pop
// (futex sleeps on a two-core machine). FIFO, so a process that ran goes behind the others.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace otp::rt {

class RunQueue {
 public:
  static constexpr uint64_t kCapacity = 256;

  // Owner thread only. False when full (the caller puts the slot elsewhere).
  bool push(uint64_t pid) {
    uint64_t t = tail_.load(std::memory_order_relaxed);
    // A stale head only under-states the free room: the check stays safe.
    if (t - head_.load(std::memory_order_acquire) >= kCapacity) return false;
    buf_[t % kCapacity].store(pid, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // Any thread: the oldest slot, if there is one.
  bool pop(uint64_t& pid) {
    uint64_t h = head_.load(std::memory_order_acquire);
    for (;;) {
      if (h == tail_.load(std::memory_order_acquire)) return false;
      // May read a slot the owner is overwriting after a wrap; then head has moved past h and
      // the CAS below fails, so a torn read is never returned (the slots are atomics).
      uint64_t v = buf_[h % kCapacity].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        pid = v;
        return true;
      }
    }
  }

  // A snapshot; exact only when no other thread touches the queue.
  uint64_t size() const {
    uint64_t h = head_.load(std::memory_order_acquire);
    uint64_t t = tail_.load(std::memory_order_acquire);
    return t > h ? t - h : 0;
  }

 private:
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  alignas(64) std::array<std::atomic<uint64_t>, kCapacity> buf_{};
};

}  // namespace otp::rt
