#include <otpsim/core/memory/block_cache.hpp>

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <mutex>
#include <utility>
#include <vector>

namespace otp::block_cache {

namespace detail {
namespace {

// The region: reserved once, never unmapped (threads may free blocks after static destruction
// has begun); `used` only grows.
struct Region {
  std::byte* base = nullptr;
  size_t size = 0;
  std::atomic<size_t> used{0};
};

Region& region() {
  static Region* r = [] {
    auto* reg = new Region;
    void* p = ::mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {  // else every block comes from glibc, as before the region existed
      reg->base = static_cast<std::byte*>(p);
      reg->size = kRegionBytes;
    }
    return reg;
  }();
  return *r;
}

bool is_region_block(const Region& r, const void* p) {
  auto* b = static_cast<const std::byte*>(p);
  return r.base && b >= r.base && b < r.base + r.size;
}

// A run of kBatch contiguous blocks of class k linked in address order, or null when the
// region is used up.
Free* carve(size_t k) {
  Region& r = region();
  const size_t bytes = kBatch * stride(k);
  if (!r.base || r.used.load(std::memory_order_relaxed) + bytes > r.size) return nullptr;
  const size_t at = r.used.fetch_add(bytes, std::memory_order_relaxed);
  if (at + bytes > r.size) return nullptr;  // another thread took the rest first
  std::byte* run = r.base + at;
  Free* head = nullptr;
  for (uint32_t i = kBatch; i-- > 0;) head = new (run + i * stride(k)) Free{head};
  return head;
}

// A list of blocks of one class, as the store holds it: how many, and how many of them are
// glibc's (only those count against kSharedBytes, and only those release_shared frees).
struct Batch {
  Free* head;
  uint32_t n;
  uint32_t heap_n;
  bool scattered = false;  // its blocks lie far apart (see count): worth ordering
};

// Counts a list given to the store (it was just freed: its blocks are still in cache) and
// notes whether they lie far apart: blocks freed in the order a flood allocated them lie
// within a few runs, and the store hands such batches out as they are; blocks freed in the
// order of a churn of unrelated work (50 k spawns) are scattered over the region.
Batch count(size_t k, Free* head) {
  const Region& r = region();
  Batch b{head, 0, 0};
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (Free* f = head; f; f = f->next) {
    ++b.n;
    if (!is_region_block(r, f)) ++b.heap_n;
    lo = std::min(lo, reinterpret_cast<uintptr_t>(f));
    hi = std::max(hi, reinterpret_cast<uintptr_t>(f));
  }
  constexpr size_t kCompactRuns = 4;  // a batch's blocks within this many runs' bytes: compact
  b.scattered = b.heap_n > 0 || (b.n > 0 && hi - lo > kCompactRuns * kBatch * stride(k));
  return b;
}

struct Store {
  std::mutex mu;
  std::array<std::vector<Batch>, kClasses> batches;
  // batches[k].size() + fresh[k].size(), readable without the lock: most refills find the
  // store empty (a stale zero only means a run is carved although a batch was just given).
  std::array<std::atomic<size_t>, kClasses> entries{};
  // Batches given since the last ordering, newest last: moved into `batches` once those are
  // all taken, the scattered ones' blocks ordered (each block sorted at most once on its way
  // through the store).
  std::array<std::vector<Batch>, kClasses> fresh;
  std::array<uint32_t, kClasses> scattered_fresh{};  // fresh batches with scattered blocks
  size_t bytes = 0, heap_bytes = 0;
  // put_in_address_order's work space, kept: a 200 k-block flood's 3 MB from glibc paid their
  // page faults again on every ordering.
  std::vector<Free*> blocks, sorted;
};

Store& store() {
  // Never destroyed: a thread may free blocks after static destruction has begun.
  static Store* s = new Store;
  return *s;
}

size_t entries_locked(const Store& s, size_t k) { return s.batches[k].size() + s.fresh[k].size(); }

void push_locked(Store& s, size_t k, Batch b) {
  s.fresh[k].push_back(b);
  if (b.scattered) ++s.scattered_fresh[k];
  s.entries[k].store(entries_locked(s, k), std::memory_order_relaxed);
  s.bytes += b.n * class_bytes(k);
  s.heap_bytes += b.heap_n * class_bytes(k);
}

// Region blocks of a list to the store, glibc's to glibc.
void release(size_t k, Free* f) {
  const Region& r = region();
  Free* kept = nullptr;
  uint32_t n = 0;
  while (f) {
    Free* next = f->next;
    if (is_region_block(r, f)) {
      f->next = kept;
      kept = f;
      ++n;
    } else {
      ::operator delete(f);
    }
    f = next;
  }
  if (!kept) return;
  Store& s = store();
  std::lock_guard lock(s.mu);
  push_locked(s, k, Batch{kept, n, 0, true});  // what is left of a list, in any order
}

// Takes a list of blocks whole; its glibc blocks go to glibc instead when they would take the
// store past its bound.
void give(size_t k, Free* list) {
  const Batch b = count(k, list);
  {
    Store& s = store();
    std::lock_guard lock(s.mu);
    if (s.heap_bytes + b.heap_n * class_bytes(k) <= kSharedBytes) {
      push_locked(s, k, b);
      return;
    }
  }
  release(k, list);
}

// Relinks every block of the given batches so that they are handed out in address order:
// lowest first, each batch ascending. A flood then allocates (and its consumer reads) blocks
// the way it would from fresh runs, whatever order earlier work freed them in: after 50 k
// spawns had churned through the store, a 200 k-message flood ran at 0.6 x its speed.
// The order comes from a two-pass radix sort of the blocks' offsets in the region, linear in
// the blocks: std::sort's comparisons took 3 % of a 200 k-job pool flood's time. glibc's
// blocks (only once the region is used up) go last, in any order.
void put_in_address_order(Store& s, std::vector<Batch>& from, std::vector<Batch>& batches) {
  const Region& r = region();
  std::vector<Free*>& blocks = s.blocks;
  std::vector<Free*>& sorted = s.sorted;
  std::vector<Free*> glibc_blocks;
  blocks.clear();
  for (const Batch& b : from)
    for (Free* f = b.head; f; f = f->next) (is_region_block(r, f) ? blocks : glibc_blocks).push_back(f);
  from.clear();
  constexpr unsigned kDigitBits = 12;
  constexpr size_t kDigits = size_t{1} << kDigitBits;
  static_assert(kRegionBytes / kGranule <= kDigits * kDigits, "two digits cover a block's offset");
  sorted.resize(blocks.size());
  std::vector<uint32_t> starts(kDigits);
  for (unsigned shift : {0U, kDigitBits}) {  // least significant digit first; each pass stable
    auto digit = [&](const Free* f) {
      const auto granule = static_cast<size_t>(reinterpret_cast<const std::byte*>(f) - r.base) / kGranule;
      return (granule >> shift) & (kDigits - 1);
    };
    std::fill(starts.begin(), starts.end(), 0);
    for (const Free* f : blocks) ++starts[digit(f)];
    uint32_t at = 0;
    for (uint32_t& s : starts) at += std::exchange(s, at);
    for (Free* f : blocks) sorted[starts[digit(f)]++] = f;
    blocks.swap(sorted);
  }
  blocks.insert(blocks.end(), glibc_blocks.begin(), glibc_blocks.end());
  // Batches from the highest addresses down: the last batch, taken first, holds the lowest.
  for (size_t hi = blocks.size(); hi > 0;) {
    const size_t lo = hi > kBatch ? hi - kBatch : 0;
    Batch b{nullptr, 0, 0};
    for (size_t j = hi; j-- > lo;) {  // pushed highest first: the list runs lowest first
      blocks[j]->next = b.head;
      b.head = blocks[j];
      ++b.n;
      if (!is_region_block(r, blocks[j])) ++b.heap_n;
    }
    batches.push_back(b);
    hi = lo;
  }
}

Batch take(size_t k) {
  Store& s = store();
  if (s.entries[k].load(std::memory_order_relaxed) == 0) return Batch{nullptr, 0, 0};
  std::lock_guard lock(s.mu);
  if (s.batches[k].empty()) {
    if (s.fresh[k].empty()) return Batch{nullptr, 0, 0};
    // Ordering walks every block, long out of cache: only the scattered batches' blocks are
    // ordered (and handed out first); compact ones stay below as they were given.
    if (s.scattered_fresh[k] == 0) {
      std::swap(s.fresh[k], s.batches[k]);
    } else {
      std::vector<Batch> scattered;
      for (const Batch& b : s.fresh[k]) (b.scattered ? scattered : s.batches[k]).push_back(b);
      s.fresh[k].clear();
      put_in_address_order(s, scattered, s.batches[k]);
    }
    s.scattered_fresh[k] = 0;
  }
  const Batch b = s.batches[k].back();
  s.batches[k].pop_back();
  s.entries[k].store(entries_locked(s, k), std::memory_order_relaxed);
  s.bytes -= b.n * class_bytes(k);
  s.heap_bytes -= b.heap_n * class_bytes(k);
  return b;
}

}  // namespace

void* refill(Cache& c, size_t k) {
  assert(!c.heads[k] && c.counts[k] == 0);
  if (c.spill[k]) {  // blocks gathered for the store: use them here instead
    c.heads[k] = std::exchange(c.spill[k], nullptr);
    c.counts[k] = std::exchange(c.spill_counts[k], 0);
  } else if (const Batch b = take(k); b.head) {
    c.heads[k] = b.head;
    c.counts[k] = b.n;
  } else if (Free* run = carve(k)) {
    c.heads[k] = run;
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
  c.spill_counts[k] = 0;
  give(k, std::exchange(c.spill[k], nullptr));
}

Cache::~Cache() {
  for (size_t k = 0; k < kClasses; ++k) {
    // Both lists to the store, in batches of kBatch: each judged compact or scattered on its own.
    for (Free* list : {heads[k], spill[k]}) {
      while (list) {
        Free* batch = list;
        Free* last = list;
        for (uint32_t n = 1; n < kBatch && last->next; ++n) last = last->next;
        list = std::exchange(last->next, nullptr);
        give(k, batch);
      }
    }
  }
}

}  // namespace detail

size_t shared_bytes() {
  detail::Store& s = detail::store();
  std::lock_guard lock(s.mu);
  return s.bytes;
}

size_t shared_heap_bytes() {
  detail::Store& s = detail::store();
  std::lock_guard lock(s.mu);
  return s.heap_bytes;
}

void release_shared() {
  detail::Store& s = detail::store();
  std::array<std::vector<detail::Batch>, detail::kClasses> batches, fresh;
  {
    std::lock_guard lock(s.mu);
    batches.swap(s.batches);
    fresh.swap(s.fresh);
    s.scattered_fresh.fill(0);
    for (auto& e : s.entries) e.store(0, std::memory_order_relaxed);
    s.bytes = s.heap_bytes = 0;
  }
  for (size_t k = 0; k < detail::kClasses; ++k)
    for (const auto* held : {&batches[k], &fresh[k]})
      for (const detail::Batch& b : *held) detail::release(k, b.head);
}

size_t region_bytes_in_use() {
  const detail::Region& r = detail::region();
  detail::Store& s = detail::store();
  std::lock_guard lock(s.mu);
  size_t stored = 0;
  for (size_t k = 0; k < detail::kClasses; ++k)
    for (const auto* held : {&s.batches[k], &s.fresh[k]})
      for (const detail::Batch& b : *held) stored += (b.n - b.heap_n) * detail::stride(k);
  // `used` passes the size when a carve did not fit; the tail it could not take was never
  // carved but counts here (less than one run, and only once the region is used up).
  return std::min(r.used.load(std::memory_order_relaxed), r.size) - stored;
}

size_t region_bytes_carved() {
  const detail::Region& r = detail::region();
  return std::min(r.used.load(std::memory_order_relaxed), r.size);
}

bool in_region(const void* p) { return detail::is_region_block(detail::region(), p); }

void detail::limit_region(size_t bytes) {
  Region& r = region();
  r.size = std::min(r.size, std::max(bytes, r.used.load()));
}

}  // namespace otp::block_cache
