#pragma once
// A process's rt inbox: many senders, one owner (whichever worker runs the process). Senders
// push onto a lock-free stack with one compare-and-swap, which also tells the one sender who
// found the inbox idle that it must schedule the process: no lock, and no separate
// "scheduled" flag to keep in step. The owner takes the whole stack at the start of a turn,
// reverses it into a private FIFO (send order: S5), and at the end of a turn marks the inbox
// idle only if nothing arrived meanwhile. Nodes come from the thread's block cache.
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include <otpsim/core/memory/block_cache.hpp>
#include <otpsim/core/memory/prefetch.hpp>

namespace otp::rt {

template <class T>
class Inbox {
  struct Node {
    Node* next;
    T value;
  };
  // head_ states: nullptr = idle (empty, not scheduled); kRunning = scheduled, nothing new;
  // otherwise the newest node pushed since the owner last looked.
  static inline Node* const kRunning = reinterpret_cast<Node*>(uintptr_t{1});

 public:
  Inbox() = default;
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  ~Inbox() {
    Node* h = head_.load(std::memory_order_acquire);
    if (h != kRunning) free_chain(h);
    free_chain(first_);
  }

  // Any thread. True if the inbox was idle: the caller must now schedule the owner.
  // The value is built in its node from `args` (a signal is moved once, not twice).
  template <class... A>
  bool push(A&&... args) {
    Node* n = acquire(std::forward<A>(args)...);
    Node* h = head_.load(std::memory_order_relaxed);
    do {
      n->next = h == kRunning ? nullptr : h;
    } while (!head_.compare_exchange_weak(h, n, std::memory_order_acq_rel, std::memory_order_relaxed));
    return h == nullptr;
  }

  // Owner, at the start of a turn: moves what was pushed behind what it already holds.
  void collect() {
    Node* h = head_.exchange(kRunning, std::memory_order_acq_rel);
    assert(h != nullptr && "collect() on an inbox nobody scheduled");
    if (h == kRunning) return;
    Node* reversed = nullptr;
    Node* tail = h;
    while (h) reversed = std::exchange(h, std::exchange(h->next, reversed));
    if (last_) last_->next = reversed;
    else first_ = reversed;
    last_ = tail;
  }

  // Owner: hands up to `budget` held values to f, oldest first; returns how many.
  template <class F>
  size_t drain(size_t budget, F&& f) {
    size_t n = 0;
    while (first_ && n < budget) {
      Node* node = std::exchange(first_, first_->next);
      if (!first_) last_ = nullptr;
      else prefetch(first_, sizeof(Node));  // a flood's nodes are out of cache by now
      f(node->value);
      release(node);
      ++n;
    }
    return n;
  }

  bool holding() const { return first_ != nullptr; }  // owner: values collected, not drained

  // Owner, at the end of a turn with nothing held: goes idle unless something was pushed
  // meanwhile (then false: the owner keeps the process scheduled).
  bool try_idle() {
    assert(!first_ && "going idle while holding values");
    Node* expected = kRunning;
    return head_.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel, std::memory_order_acquire);
  }

 private:
  template <class... A>
  static Node* acquire(A&&... args) {
    return new (block_cache::allocate(sizeof(Node))) Node{nullptr, T(std::forward<A>(args)...)};
  }
  static void release(Node* n) {
    n->~Node();
    block_cache::deallocate(n, sizeof(Node));
  }
  static void free_chain(Node* n) {
    while (n) release(std::exchange(n, n->next));
  }

  std::atomic<Node*> head_{nullptr};
  Node* first_ = nullptr;  // owner only: collected, oldest first
  Node* last_ = nullptr;
};

}  // namespace otp::rt
