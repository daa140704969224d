#pragma once
// A per-thread cache of freed small blocks, by size class: coroutine frames, term blocks and
// rt inbox nodes come and go once per message. glibc's own per-thread cache holds 7 blocks
// of a size, so a server handling a burst pays its slower bins (~175 instructions a
// malloc/free pair, 13 % of W5 under callgrind). Like the BEAM's allocators keep their
// carriers, a thread keeps what it freed, up to a bound per class.
// A block freed on another thread than the one that took it joins that other thread's cache,
// so one thread that allocates (clients building messages) and another that frees (the server
// consuming them) would leave the first always asking glibc and the second always giving back
// to it, through glibc's cross-thread free. Above its bound a thread therefore hands blocks,
// a batch at a time, to a store shared by all threads, where a thread whose cache ran dry takes
// a batch back (one lock per batch). The shared store is bounded too; above it, blocks go
// to glibc. The store hands scattered blocks out in address order (once its ordered batches are
// all taken, it sorts the blocks of the batches given since whose blocks lie far apart):
// churn leaves free lists scattered over many pages, and a flood that allocated from them, in
// their order, ran at 0.6-0.8 x its speed on fresh runs. Compact batches go out as given.
// A class with nothing to reuse is refilled with a run of contiguous blocks carved from one
// reserved region (pages materialise when first touched), not a malloc each: a flood of
// messages then allocates at the cost of a pointer bump, in address order, whatever state
// earlier work left glibc's heap in (after 50 k spawns, a 200 k-job flood that took its blocks
// from glibc ran at 0.6 x its speed on a fresh heap; from the region, 0.9 x). Region blocks
// never go to glibc: a thread or the store keeps them, so the region is the bound on what
// they hold. When the region is used up, blocks come from glibc again.
// Under AddressSanitizer every block goes to the heap, so a use after free is still found.
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define OTP_BLOCK_CACHE_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OTP_BLOCK_CACHE_ENABLED 0
#endif
#endif
#ifndef OTP_BLOCK_CACHE_ENABLED
#define OTP_BLOCK_CACHE_ENABLED 1
#endif

namespace otp::block_cache {

namespace detail {

inline constexpr size_t kGranule = 16;
// A GenServer's process body and server loop have 3.2 and 2.6 KB frames: one of each per restart.
inline constexpr size_t kMaxBytes = 4096;
inline constexpr size_t kBytesPerClass = 256 * 1024;          // kept per class and thread at most
inline constexpr uint32_t kBatch = 64;                         // blocks moved to or from the store at once
inline constexpr size_t kSharedBytes = size_t{64} << 20;       // the store's bound on glibc blocks
inline constexpr size_t kRegionBytes = size_t{256} << 20;      // address space reserved for runs

// Class k holds blocks of k * 16 - 8 usable bytes: what glibc gives for a 16k-byte chunk, so
// asking for exactly that wastes nothing next to asking for n.
constexpr size_t class_of(size_t n) { return (n + 8 + kGranule - 1) / kGranule; }
constexpr size_t class_bytes(size_t k) { return k * kGranule - 8; }
static_assert(class_bytes(class_of(1)) >= 1 && class_bytes(class_of(kMaxBytes)) >= kMaxBytes);
// A region block's stride: its class's bytes plus the 8 glibc would spend on a header, so that
// blocks stay 16-byte aligned and count as much as a glibc chunk would.
constexpr size_t stride(size_t k) { return k * kGranule; }
inline constexpr size_t kClasses = class_of(kMaxBytes) + 1;  // classes 0 (unused) .. class_of(kMaxBytes)

struct Free {
  Free* next;
};

struct Cache {
  std::array<Free*, kClasses> heads{};
  std::array<uint32_t, kClasses> counts{};
  // Blocks freed while the class was at its bound, gathered into the next batch for the store.
  std::array<Free*, kClasses> spill{};
  std::array<uint32_t, kClasses> spill_counts{};
  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  ~Cache();  // a thread that ends gives its blocks to the store (glibc's past its bound to glibc)
};

inline Cache& cache() {
  thread_local Cache c;
  return c;
}

// The slow paths (block_cache.cpp): a batch from the store or a run from the region (or a
// block from glibc); a full spill batch to the store (or its glibc blocks to glibc).
void* refill(Cache& c, size_t k);
void hand_over(Cache& c, size_t k);

}  // namespace detail

inline void* allocate(size_t n) {
  if (!OTP_BLOCK_CACHE_ENABLED || n > detail::kMaxBytes) return ::operator new(n);
  const size_t k = detail::class_of(n);
  detail::Cache& c = detail::cache();
  if (detail::Free* f = c.heads[k]) {
    c.heads[k] = f->next;
    --c.counts[k];
    return f;
  }
  return detail::refill(c, k);
}

// `n` is the size given to allocate for this block.
inline void deallocate(void* p, size_t n) noexcept {
  if (!OTP_BLOCK_CACHE_ENABLED || n > detail::kMaxBytes) {
    ::operator delete(p);
    return;
  }
  const size_t k = detail::class_of(n);
  detail::Cache& c = detail::cache();
  if (c.counts[k] * detail::class_bytes(k) < detail::kBytesPerClass) {
    c.heads[k] = new (p) detail::Free{c.heads[k]};
    ++c.counts[k];
    return;
  }
  c.spill[k] = new (p) detail::Free{c.spill[k]};
  if (++c.spill_counts[k] == detail::kBatch) detail::hand_over(c, k);
}

// A size to ask allocate() for instead of n (>= n) whose blocks fill whole cache lines: a class
// of a multiple of four granules, whose region blocks (runs start 1 KiB-aligned) each begin on a
// line. For what one process writes on every message (its record, its coroutine frames): two
// processes allocated one after the other then share no line, so two cores running them do not
// pass a line back and forth (W7 on two workers ran at half its speed with frames 208 B apart).
constexpr size_t line_sized(size_t n) {
  const size_t k = (detail::class_of(n) + 3) / 4 * 4;
  return n > detail::kMaxBytes ? n : detail::class_bytes(k);
}
static_assert(line_sized(1) == 56 && line_sized(57) == 120 && detail::stride(detail::class_of(line_sized(100))) % 64 == 0);

// Bytes in the shared store now (blocks no thread holds), region and glibc blocks alike.
size_t shared_bytes();
// The part of shared_bytes() that is glibc's blocks (at most kSharedBytes).
size_t shared_heap_bytes();
// Returns the shared store's glibc blocks to glibc (its region blocks stay): for a measurement
// of heap in use that must not be served from blocks freed before it began.
void release_shared();
// Region bytes handed out and not back in the store: blocks in use, and those threads keep
// in their caches. Memory the process holds that glibc's statistics do not show.
size_t region_bytes_in_use();
// Region bytes carved so far (in use, cached, or in the store): the region's high-water mark,
// what of it the process has touched.
size_t region_bytes_carved();
// Whether p is a block carved from the region (never to be given to glibc).
bool in_region(const void* p);

namespace detail {
// Tests: lowers the region's end to `bytes` past its start (never below what was carved), to
// reach the fallback to glibc without touching the whole region. Call it while no other thread
// allocates.
void limit_region(size_t bytes);
}  // namespace detail

// An STL allocator on the cache, for node-based containers that gain and lose an entry per
// message (a call adds and removes a monitor and an alias on both sides).
template <class T>
struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <class U>
  Allocator(const Allocator<U>&) noexcept {}  // NOLINT implicit, as std::allocator
  T* allocate(size_t n) { return static_cast<T*>(block_cache::allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { block_cache::deallocate(p, n * sizeof(T)); }
  friend bool operator==(const Allocator&, const Allocator&) { return true; }
};

}  // namespace otp::block_cache
