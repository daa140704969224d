// The per-thread block cache and its shared store (core/memory/block_cache.hpp): a thread that only
// frees passes blocks, in batches, to a thread that only allocates; the store stays within its
// bound on glibc's blocks; blocks carved from the region are counted and never reach glibc. Runs under TSan in CI with the rt tests (threads hand blocks over through the store).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <otpsim/core/memory/block_cache.hpp>

namespace bc = otp::block_cache;
namespace detail = otp::block_cache::detail;

namespace {
constexpr size_t kSize = 1000;  // a class no other part of the library uses much
constexpr size_t kClassBytes = detail::class_bytes(detail::class_of(kSize));
// A thread keeps a block while it holds fewer than kBytesPerClass bytes of the class.
constexpr size_t kPerThread = (detail::kBytesPerClass + kClassBytes - 1) / kClassBytes;
}  // namespace

TEST(BlockCache, AThreadReusesWhatItFreed) {
  if (!OTP_BLOCK_CACHE_ENABLED) GTEST_SKIP() << "off under AddressSanitizer";
  std::thread([] {
    void* a = bc::allocate(kSize);
    bc::deallocate(a, kSize);
    void* b = bc::allocate(kSize - 5);  // same class
    EXPECT_EQ(a, b);
    bc::deallocate(b, kSize - 5);
  }).join();
}

TEST(BlockCache, EverySizeUpToTheLargestClassRoundTrips) {
  if (!OTP_BLOCK_CACHE_ENABLED) GTEST_SKIP() << "off under AddressSanitizer";
  std::thread([] {
    for (size_t n = 1; n <= detail::kMaxBytes; ++n) {
      ASSERT_LT(detail::class_of(n), detail::kClasses) << n;  // 1017..1024 bytes once fell outside
      void* p = bc::allocate(n);
      std::memset(p, 0xab, n);
      bc::deallocate(p, n);
      EXPECT_EQ(bc::allocate(n), p) << n;
      bc::deallocate(p, n);
    }
  }).join();
}

TEST(BlockCache, BlocksFreedOnOneThreadServeAnotherThroughTheStore) {
  if (!OTP_BLOCK_CACHE_ENABLED) GTEST_SKIP() << "off under AddressSanitizer";
  bc::release_shared();  // region blocks of earlier tests may stay: counts below are relative
  const size_t n = kPerThread + 4 * detail::kBatch;  // the freeing thread's bound, then 4 batches
  std::vector<void*> blocks;
  std::thread([&] {
    for (size_t i = 0; i < n; ++i) blocks.push_back(bc::allocate(kSize));
  }).join();
  // That thread ended: what it took and did not hand out (the rest of a run) is in the store.
  const size_t base2 = bc::shared_bytes();
  std::set<void*> freed(blocks.begin(), blocks.end());
  // Freed in a scattered order, as a churn of unrelated work frees them: the store orders such
  // batches (it hands compact ones out as they are).
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937(7));
  const size_t batch_bytes = detail::kBatch * kClassBytes;
  std::thread([&] {
    for (void* p : blocks) bc::deallocate(p, kSize);
    // Beyond its own bound this thread kept nothing: four full batches went to the store.
    EXPECT_EQ(bc::shared_bytes() - base2, 4 * batch_bytes);
  }).join();
  // That thread ended: its own blocks joined the store too.
  EXPECT_EQ(bc::shared_bytes() - base2, n * kClassBytes);
  std::thread([&] {
    // Every freed block comes back to a thread that takes from the store, in address order
    // (the store orders scattered batches before handing them out, so a flood allocates as from
    // a fresh run); blocks of earlier tests may come first, at lower addresses.
    const size_t stored = bc::shared_bytes() / kClassBytes;  // at least this class's blocks
    std::set<void*> pending = freed;
    std::vector<void*> got;
    while (!pending.empty()) {
      ASSERT_LE(got.size(), stored) << pending.size() << " freed blocks never came back";
      void* p = bc::allocate(kSize);
      if (!got.empty()) ASSERT_TRUE(std::less<void*>{}(got.back(), p)) << "out of address order";
      pending.erase(p);
      got.push_back(p);
    }
    for (void* p : got) bc::deallocate(p, kSize);
  }).join();
  bc::release_shared();
  EXPECT_EQ(bc::shared_heap_bytes(), 0u);
}

TEST(BlockCache, TheStoreKeepsItsBound) {
  if (!OTP_BLOCK_CACHE_ENABLED) GTEST_SKIP() << "off under AddressSanitizer";
  bc::release_shared();
  const size_t batch_bytes = detail::kBatch * kClassBytes;
  const size_t n = kPerThread + (detail::kSharedBytes / batch_bytes + 8) * detail::kBatch;
  std::vector<void*> blocks;
  blocks.reserve(n);
  for (size_t i = 0; i < n; ++i) blocks.push_back(::operator new(kClassBytes));
  std::thread([&] {
    for (void* p : blocks) bc::deallocate(p, kSize);  // what the store cannot take goes to glibc
    EXPECT_LE(bc::shared_heap_bytes(), detail::kSharedBytes);
    EXPECT_GT(bc::shared_heap_bytes(), detail::kSharedBytes - batch_bytes);
  }).join();
  EXPECT_LE(bc::shared_heap_bytes(), detail::kSharedBytes);
  bc::release_shared();
  EXPECT_EQ(bc::shared_heap_bytes(), 0u);
}

TEST(BlockCache, RegionBlocksAreCountedAndStayInTheStore) {
  if (!OTP_BLOCK_CACHE_ENABLED) GTEST_SKIP() << "off under AddressSanitizer";
  bc::release_shared();  // the store now holds region blocks only
  const size_t before = bc::region_bytes_in_use();
  const size_t stride = detail::stride(detail::class_of(kSize));
  constexpr size_t kBlocks = 1000;
  std::vector<void*> blocks;
  std::thread([&] {
    for (size_t i = 0; i < kBlocks; ++i) blocks.push_back(bc::allocate(kSize));
  }).join();
  for (void* p : blocks) EXPECT_TRUE(bc::in_region(p));
  // Out of the store: the blocks held, and nothing else (that thread gave back what it kept).
  EXPECT_EQ(bc::region_bytes_in_use() - before, kBlocks * stride);
  std::thread([&] {
    for (void* p : blocks) bc::deallocate(p, kSize);
  }).join();
  EXPECT_EQ(bc::region_bytes_in_use(), before);
  bc::release_shared();  // glibc must not be handed a region block (it would abort)
  EXPECT_EQ(bc::region_bytes_in_use(), before);
  EXPECT_GE(bc::shared_bytes(), kBlocks * kClassBytes);
}

TEST(BlockCache, AUsedUpRegionFallsBackToGlibc) {
  if (!OTP_BLOCK_CACHE_ENABLED) GTEST_SKIP() << "off under AddressSanitizer";
  // In a child process: the region's end cannot be raised again.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        detail::limit_region(0);  // nothing more is carved
        constexpr size_t kBlocks = 3 * detail::kBatch;
        std::vector<void*> blocks;
        std::thread([&] {
          for (size_t i = 0; i < kBlocks; ++i) blocks.push_back(bc::allocate(777));
        }).join();
        size_t from_glibc = 0;
        for (void* p : blocks) from_glibc += bc::in_region(p) ? 0 : 1;
        // Blocks the store still had may serve some; the rest come from glibc.
        if (from_glibc == 0) std::exit(2);
        std::thread([&] {
          for (void* p : blocks) bc::deallocate(p, 777);
        }).join();
        bc::release_shared();  // glibc's go back to glibc, region blocks stay
        std::exit(bc::shared_heap_bytes() == 0 ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}
