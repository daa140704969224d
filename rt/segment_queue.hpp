#pragma once
// A FIFO of segments, for a process's rt inbox: appending never moves queued items (a vector
// inbox relocated every item each time a flooded server's inbox doubled), an empty queue is
// two pointers (idle processes stay small), and the consumer takes whole segments at once.
// An empty queue starts with a small segment (most inboxes hold a signal or two at a time);
// later segments are large. Segments are recycled through small per-thread free lists, so a
// steady stream of signals does not go to malloc for each one. Not synchronised: the owner
// locks.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace otp::rt {

template <class T, uint32_t Small = 4, uint32_t Large = 32>
class SegmentQueue {
  struct Segment {
    Segment* next = nullptr;
    uint32_t count = 0;
    uint32_t capacity = 0;
    T* at(uint32_t i) { return std::launder(reinterpret_cast<T*>(storage() + i * sizeof(T))); }
    std::byte* storage() { return reinterpret_cast<std::byte*>(this) + kHeader; }
  };
  static_assert(Small < Large, "the size class of a segment is told by its capacity");
  static constexpr std::align_val_t kAlign{alignof(Segment) > alignof(T) ? alignof(Segment) : alignof(T)};
  static constexpr size_t kHeader = (sizeof(Segment) + alignof(T) - 1) / alignof(T) * alignof(T);

 public:
  // Segments taken off a queue; destroys what is left of them on destruction.
  class Batch {
   public:
    Batch() = default;
    explicit Batch(Segment* head) : head_(head) {}
    Batch(Batch&& o) noexcept : head_(std::exchange(o.head_, nullptr)) {}
    Batch& operator=(Batch&&) = delete;  // only built by take()
    Batch(const Batch&) = delete;
    ~Batch() {
      while (head_) {
        Segment* s = std::exchange(head_, head_->next);
        for (uint32_t i = 0; i < s->count; ++i) s->at(i)->~T();
        release(s);
      }
    }
    size_t size() const {
      size_t n = 0;
      for (Segment* s = head_; s; s = s->next) n += s->count;
      return n;
    }
    template <class F>
    void for_each(F&& f) {
      for (Segment* s = head_; s; s = s->next)
        for (uint32_t i = 0; i < s->count; ++i) f(*s->at(i));
    }

   private:
    Segment* head_ = nullptr;
  };

  SegmentQueue() = default;
  SegmentQueue(const SegmentQueue&) = delete;
  SegmentQueue& operator=(const SegmentQueue&) = delete;
  ~SegmentQueue() { Batch drop(std::exchange(head_, nullptr)); }

  bool empty() const { return head_ == nullptr; }

  void push(T&& value) {
    if (!tail_ || tail_->count == tail_->capacity) {
      Segment* s = acquire(tail_ ? 1 : 0);
      if (tail_) tail_->next = s;
      else head_ = s;
      tail_ = s;
    }
    new (tail_->at(tail_->count)) T(std::move(value));
    ++tail_->count;
  }

  // Takes whole segments from the front until at least `budget` items are taken (or all).
  Batch take(size_t budget) {
    Segment* first = head_;
    Segment* last = nullptr;
    size_t taken = 0;
    for (Segment* s = head_; s && taken < budget; s = s->next) {
      last = s;
      taken += s->count;
    }
    if (!last) return Batch{};
    head_ = last->next;
    if (!head_) tail_ = nullptr;
    last->next = nullptr;
    return Batch{first};
  }

 private:
  // Per-thread cache of empty segments: in steady state a sender takes a segment its thread's
  // consumers gave back. Bounded, so a producer/consumer pair on two threads does not hoard.
  struct FreeList {
    Segment* head = nullptr;
    uint32_t count = 0;
    ~FreeList() {
      while (head) destroy(std::exchange(head, head->next));
    }
  };
  static constexpr uint32_t kMaxFree = 64;  // per size class and thread
  static FreeList& free_list(int size_class) {
    thread_local FreeList lists[2];
    return lists[size_class];
  }
  static Segment* acquire(int size_class) {
    FreeList& f = free_list(size_class);
    Segment* s;
    if (f.head) {
      s = std::exchange(f.head, f.head->next);
      --f.count;
    } else {
      uint32_t capacity = size_class ? Large : Small;
      void* raw = ::operator new(kHeader + capacity * sizeof(T), kAlign);
      s = new (raw) Segment{nullptr, 0, capacity};
    }
    s->next = nullptr;
    s->count = 0;
    return s;
  }
  static void destroy(Segment* s) {
    s->~Segment();
    ::operator delete(s, kAlign);
  }
  static void release(Segment* s) {
    FreeList& f = free_list(s->capacity == Large ? 1 : 0);
    if (f.count >= kMaxFree) {
      destroy(s);
      return;
    }
    s->next = std::exchange(f.head, s);
    ++f.count;
  }

  Segment* head_ = nullptr;
  Segment* tail_ = nullptr;
};

}  // namespace otp::rt
