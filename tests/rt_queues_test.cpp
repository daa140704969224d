// The rt executor's queues: a process's lock-free inbox (send order kept, exactly one sender
// schedules an idle process), a worker's run queue (each pid taken exactly once while thieves
// race the owner) and the timer wheel (a sleeping wheel is woken by an earlier timer). Runs
// under TSan in CI with the other rt tests.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <thread>
#include <vector>

#include <otpsim/rt/run_queue.hpp>
#include <otpsim/rt/inbox.hpp>
#include <otpsim/rt/timer_wheel.hpp>

using namespace otp::rt;

TEST(RtInbox, OnlyThePushToAnIdleInboxSchedulesAndOrderIsKept) {
  Inbox<std::unique_ptr<int>> in;
  EXPECT_TRUE(in.push(std::make_unique<int>(0)));   // idle: this sender schedules
  EXPECT_FALSE(in.push(std::make_unique<int>(1)));  // already scheduled
  in.collect();
  EXPECT_FALSE(in.push(std::make_unique<int>(2)));  // running: still scheduled
  std::vector<int> seen;
  auto take = [&](std::unique_ptr<int>& v) { seen.push_back(*v); };
  EXPECT_EQ(in.drain(1, take), 1u);  // a budget leaves the rest held
  EXPECT_TRUE(in.holding());
  in.collect();  // 2 goes behind 1
  EXPECT_EQ(in.drain(100, take), 2u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
  EXPECT_FALSE(in.push(std::make_unique<int>(3)));
  EXPECT_FALSE(in.try_idle());  // something arrived during the turn: stay scheduled
  in.collect();
  in.drain(100, take);
  EXPECT_TRUE(in.try_idle());
  EXPECT_TRUE(in.push(std::make_unique<int>(4)));  // idle again: the next sender schedules
}

TEST(RtInbox, UndrainedValuesAreDestroyed) {
  auto token = std::make_shared<int>(0);
  {
    Inbox<std::shared_ptr<int>> in;
    for (int i = 0; i < 50; ++i) in.push(std::shared_ptr<int>(token));
    in.collect();
    in.push(std::shared_ptr<int>(token));  // one collected, one not
  }
  EXPECT_EQ(token.use_count(), 1);
}

TEST(RtInbox, ConcurrentSendersEachKeepTheirOrderAndExactlyOneSchedules) {
  Inbox<std::pair<int, int>> in;  // (sender, sequence)
  constexpr int kSenders = 3, kEach = 50'000;
  std::atomic<int> schedules{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (in.push(t, i)) schedules.fetch_add(1);
    });
  // The owner runs turns while they send; it may go idle, after which a sender schedules again.
  std::vector<int> next(kSenders, 0);
  int received = 0, turns = 0;
  bool scheduled = false;
  while (received < kSenders * kEach) {
    if (!scheduled) {
      if (schedules.load() <= turns) continue;  // idle and nobody scheduled it yet
      scheduled = true;
      ++turns;
    }
    in.collect();
    in.drain(64, [&](std::pair<int, int>& v) {
      EXPECT_EQ(v.second, next[static_cast<size_t>(v.first)]) << "sender " << v.first;
      next[static_cast<size_t>(v.first)] = v.second + 1;
      ++received;
    });
    if (!in.holding() && in.try_idle()) scheduled = false;
  }
  for (auto& t : senders) t.join();
  EXPECT_EQ(schedules.load(), turns);  // each idle -> scheduled transition was one sender's
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

// The wheel's thread sleeps until its earliest timer: one armed for an hour from now must not
// keep it from a timer armed afterwards for the next millisecond, from another thread, while
// it sleeps; nor may a cancelled timer fire. Its clock here is a test's: time moves when the
// test says, so the hour never passes.
TEST(RtTimerWheel, AnEarlierTimerWakesTheSleepingWheelAndTheLaterOneWaits) {
  std::atomic<int64_t> now{0};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> fired;
  TimerWheel wheel([&] { return now.load(); }, [&](const otp::TimerTarget& t) {
    std::lock_guard lock(mu);
    fired.push_back(t.token);
    cv.notify_all();
  });
  auto fired_copy = [&] {
    std::lock_guard lock(mu);
    return fired;
  };
  wheel.arm(3'600'000, otp::TimerTarget{otp::TimerTarget::Kind::message, otp::Pid{}, 1});
  uint64_t cancelled = wheel.arm(2, otp::TimerTarget{otp::TimerTarget::Kind::message, otp::Pid{}, 3});
  EXPECT_TRUE(wheel.cancel(cancelled));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the wheel fall asleep
  std::thread armer([&] { wheel.arm(1, otp::TimerTarget{otp::TimerTarget::Kind::message, otp::Pid{}, 2}); });
  armer.join();
  now = 5;  // past the second timer's deadline, and the cancelled one's
  {
    std::unique_lock lock(mu);
    // A liveness bound, not a timing: the wheel looks again within a millisecond of its clock
    // moving only if the arm woke it; asleep until the hour it would never fire.
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !fired.empty(); }));
  }
  EXPECT_EQ(fired_copy(), std::vector<uint64_t>{2});
  // The hour's timer is still armed, not fired (a timer being handed over counts as pending
  // until its callback returns: wait for that, within the same liveness bound).
  for (int i = 0; i < 30'000 && wheel.pending() != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(wheel.pending(), 1);
  now = 3'600'000;
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return fired.size() == 2; }));
  }
  EXPECT_EQ(fired_copy(), (std::vector<uint64_t>{2, 1}));
  for (int i = 0; i < 30'000 && wheel.pending() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(wheel.pending(), 0);
}
