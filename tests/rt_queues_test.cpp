// The rt executor's queues: a process's segmented inbox (FIFO, whole segments per take) and a
// worker's run queue (each pid taken exactly once while thieves race the owner). Runs under
// TSan in CI with the other rt tests.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "rt/run_queue.hpp"
#include "rt/segment_queue.hpp"

using namespace otp::rt;

TEST(RtSegmentQueue, FifoAcrossSegmentsAndBudgetedTakes) {
  SegmentQueue<std::unique_ptr<int>, 4, 32> q;
  EXPECT_TRUE(q.empty());
  for (int i = 0; i < 100; ++i) q.push(std::make_unique<int>(i));
  std::vector<int> seen;
  while (!q.empty()) {
    auto batch = q.take(10);  // whole segments: at least 10 unless fewer are left
    size_t n = batch.size();
    EXPECT_TRUE(n >= 10 || q.empty());
    batch.for_each([&](std::unique_ptr<int>& v) { seen.push_back(*v); });
  }
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
  q.push(std::make_unique<int>(7));  // usable again after draining
  auto last = q.take(1);
  EXPECT_EQ(last.size(), 1u);
}

TEST(RtSegmentQueue, UntakenAndUnvisitedItemsAreDestroyed) {
  auto token = std::make_shared<int>(0);
  {
    SegmentQueue<std::shared_ptr<int>> q;
    for (int i = 0; i < 50; ++i) q.push(std::shared_ptr<int>(token));
    { auto batch = q.take(5); }  // taken, never visited
    EXPECT_LT(token.use_count(), 51);
  }  // the rest dies with the queue
  EXPECT_EQ(token.use_count(), 1);
}

TEST(RtRunQueue, EveryPidIsTakenOnceWhileThievesRace) {
  RunQueue q;
  constexpr uint64_t kPids = 200'000;
  std::atomic<bool> done{false};
  std::vector<std::atomic<int>> taken(kPids + 1);
  auto take = [&](uint64_t pid) { EXPECT_EQ(taken[pid].fetch_add(1), 0) << "pid " << pid << " taken twice"; };
  std::vector<std::thread> thieves;
  for (int t = 0; t < 2; ++t)
    thieves.emplace_back([&] {
      uint64_t pid;
      while (!done.load())
        if (q.pop(pid)) take(pid);
    });
  uint64_t next = 1, pid;
  while (next <= kPids) {
    if (q.push(next)) ++next;
    else if (q.pop(pid)) take(pid);  // full: the owner works too
  }
  while (q.pop(pid)) take(pid);
  done = true;
  for (auto& t : thieves) t.join();
  for (uint64_t p = 1; p <= kPids; ++p) EXPECT_EQ(taken[p].load(), 1) << "pid " << p;
}
