#include "core/block_cache.hpp"

#include <cassert>
#include <mutex>
#include <vector>

namespace otp::block_cache {

namespace detail {
namespace {

// Batches of exactly kBatch blocks, by class.
struct Store {
  std::mutex mu;
  std::array<std::vector<Free*>, kClasses> batches;
  size_t bytes = 0;
};

Store& store() {
  // Never destroyed: a thread may free blocks after static destruction has begun.
  static Store* s = new Store;
  return *s;
}

void free_list(Free* f) {
  while (f) ::operator delete(std::exchange(f, f->next));
}

// Takes a batch of kBatch blocks; false if the store is at its bound (the caller keeps it).
bool give(size_t k, Free* batch) {
  Store& s = store();
  const size_t bytes = kBatch * class_bytes(k);
  std::lock_guard lock(s.mu);
  if (s.bytes + bytes > kSharedBytes) return false;
  s.batches[k].push_back(batch);
  s.bytes += bytes;
  return true;
}

Free* take(size_t k) {
  Store& s = store();
  std::lock_guard lock(s.mu);
  if (s.batches[k].empty()) return nullptr;
  Free* batch = s.batches[k].back();
  s.batches[k].pop_back();
  s.bytes -= kBatch * class_bytes(k);
  return batch;
}

}  // namespace

void* refill(Cache& c, size_t k) {
  assert(!c.heads[k] && c.counts[k] == 0);
  if (c.spill[k]) {  // blocks gathered for the store: use them here instead
    c.heads[k] = std::exchange(c.spill[k], nullptr);
    c.counts[k] = std::exchange(c.spill_counts[k], 0);
  } else if (Free* batch = take(k)) {
    c.heads[k] = batch;
    c.counts[k] = kBatch;
  } else {
    return ::operator new(class_bytes(k));
  }
  Free* f = c.heads[k];
  c.heads[k] = f->next;
  --c.counts[k];
  return f;
}

void hand_over(Cache& c, size_t k) {
  assert(c.spill_counts[k] == kBatch);
  Free* batch = std::exchange(c.spill[k], nullptr);
  c.spill_counts[k] = 0;
  if (!give(k, batch)) free_list(batch);
}

Cache::~Cache() {
  for (size_t k = 0; k < kClasses; ++k) {
    // Both lists as one, cut into batches for the store; what does not fill one goes to glibc.
    Free* all = heads[k];
    if (spill[k]) {
      Free* tail = spill[k];
      while (tail->next) tail = tail->next;
      tail->next = all;
      all = spill[k];
    }
    while (all) {
      Free* batch = all;
      Free* last = all;
      uint32_t n = 1;
      while (n < kBatch && last->next) {
        last = last->next;
        ++n;
      }
      all = last->next;
      last->next = nullptr;
      if (n < kBatch || !give(k, batch)) free_list(batch);
    }
  }
}

}  // namespace detail

size_t shared_bytes() {
  detail::Store& s = detail::store();
  std::lock_guard lock(s.mu);
  return s.bytes;
}

void release_shared() {
  detail::Store& s = detail::store();
  std::array<std::vector<detail::Free*>, detail::kClasses> batches;
  {
    std::lock_guard lock(s.mu);
    batches.swap(s.batches);
    s.bytes = 0;
  }
  for (auto& of_class : batches)
    for (detail::Free* b : of_class) detail::free_list(b);
}

}  // namespace otp::block_cache
