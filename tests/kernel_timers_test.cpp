// Timers and virtual time: S6, S90.
#include <gtest/gtest.h>

#include <limits>

#include <otpsim/sim/world.hpp>

#include "name_holder.hpp"

using namespace otp;
using otp::sim::World;
using otp::test_support::got_from;
using otp::test_support::start_holder;

TEST(Timers, SendAfterDeliversNoEarlierThanDeadline) {  // S6, S90
  World w;
  int64_t at = -1;
  w.spawn([&](Process& self) -> Proc {
    self.send_after(self.self(), atom("tick"), 250);
    co_await self.receive_any();
    at = self.now_ms();
  });
  auto r = w.run();
  EXPECT_EQ(at, 250);
  EXPECT_EQ(r.stop, otp::sim::StopReason::quiescent);
}

TEST(Timers, CancelTimerReturnsTimeLeftOrFalse) {  // S6
  World w;
  std::optional<int64_t> left, again;
  bool got = true;
  w.spawn([&](Process& self) -> Proc {
    Ref t = self.send_after(self.self(), atom("tick"), 1000);
    co_await self.sleep(300);
    left = self.cancel_timer(t);
    again = self.cancel_timer(t);
    got = (co_await self.receive_any(2000)).has_value();
  });
  w.run();
  EXPECT_EQ(left, 700);
  EXPECT_FALSE(again.has_value());
  EXPECT_FALSE(got);
}

TEST(Timers, ReceiveAfterFiresOnlyWithoutMatch) {  // S6
  World w;
  std::vector<std::string> seen;
  Pid r = w.spawn([&](Process& self) -> Proc {
    auto m = co_await self.receive([](const Message& m) { return m.to_term() == atom("want"); }, 100);
    seen.push_back(m ? "got" : "timeout@" + std::to_string(self.now_ms()));
    m = co_await self.receive([](const Message& m) { return m.to_term() == atom("want"); }, 100);
    seen.push_back(m ? "got@" + std::to_string(self.now_ms()) : "timeout");
  });
  w.spawn([r](Process& self) -> Proc {
    self.send(r, atom("other"));
    co_await self.sleep(150);
    self.send(r, atom("want"));
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"timeout@100", "got@150"}));
}

TEST(Timers, AfterZeroLooksOnce) {  // S6
  World w;
  bool empty_hit = true;
  w.spawn([&](Process& self) -> Proc {
    empty_hit = (co_await self.receive_any(0)).has_value();
    EXPECT_EQ(self.now_ms(), 0);
  });
  w.run();
  EXPECT_FALSE(empty_hit);
}

TEST(Timers, TimeAdvancesOnlyWhenIdle) {  // S90
  World w;
  std::vector<int64_t> times;
  w.spawn([&](Process& self) -> Proc {
    for (int i = 0; i < 3; ++i) {
      times.push_back(self.now_ms());
      co_await self.yield();
    }
    co_await self.sleep(5);
    times.push_back(self.now_ms());
  });
  w.run();
  EXPECT_EQ(times, (std::vector<int64_t>{0, 0, 0, 5}));
}

// Measured on OTP 25 (three send_after(self(), X, 10): [a,b,c] in 200 of 200 runs): one
// process's timers due at once fire in the order it set them; timers set by different
// processes are a real decision.
TEST(Timers, SimultaneousTimersFireInChoosersOrder) {  // S90
  std::set<std::string> orders;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    World w({.seed = seed});
    std::string order;
    w.spawn([&](Process& self) -> Proc {
      Pid me = self.self();
      for (const char* other : {"x", "y"})
        self.spawn([me, other](Process& q) -> Proc {
          q.send_after(me, atom(other), 10);
          co_return;
        });
      self.send_after(me, atom("a"), 10);
      self.send_after(me, atom("b"), 10);
      self.send_after(me, atom("c"), 10);
      for (int i = 0; i < 5; ++i) order += (co_await self.receive_any())->to_term().text();
    });
    w.run();
    std::string own;
    for (char ch : order)
      if (ch >= 'a' && ch <= 'c') own += ch;
    EXPECT_EQ(own, "abc") << "seed " << seed << ": " << order;
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 1u);  // the tie between processes is a real decision
}

TEST(Timers, QuiescenceReportsBlockedProcesses) {
  World w;
  Pid p = w.spawn([](Process& self) -> Proc {
    self.register_name("stuck");
    co_await self.receive_any();
  });
  auto r = w.run();
  EXPECT_EQ(r.stop, otp::sim::StopReason::quiescent);
  EXPECT_EQ(w.blocked_report(), Term(p).to_string() + " (stuck): receive (no timeout), 0 message(s) in mailbox\n");
}

TEST(Timers, LivelockHitsTheStepBound) {  // S90: time never advances, the bound ends it
  World w;
  w.spawn([](Process& self) -> Proc {
    for (;;) co_await self.yield();
  });
  auto r = w.run({.max_steps = 1000});
  EXPECT_EQ(r.stop, otp::sim::StopReason::step_limit);
  EXPECT_EQ(w.now_ms(), 0);
}

// S6, S90: time never runs backwards. A timeout or timer that would end past the end of time
// (2^63-1 ms) never fires, as with infinity; it does not wrap to a time in the past.
TEST(Timers, DeadlinesPastTheEndOfTimeNeverFire) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  World w({.trace = true});
  std::vector<std::string> seen;
  std::optional<int64_t> left;
  Pid sleeper = w.spawn([&](Process& self) -> Proc {
    self.send_after(self.self(), atom("late"), kMax);
    co_await self.receive([](const Message& m) { return m.to_term() == atom("never_sent"); }, kMax);
    seen.push_back("woke");
  });
  w.spawn([&](Process& self) -> Proc {
    co_await self.sleep(kMax / 2);  // time moves far ahead: now + kMax / 2 + 10 would overflow
    Ref t = self.send_after(self.self(), atom("later"), kMax / 2 + 10);
    left = self.cancel_timer(t);
    self.send_after(self.self(), atom("later"), kMax / 2 + 10);
    auto m = co_await self.receive_any(kMax / 2 + 10);
    seen.push_back(m ? "got " + m->to_term().to_string() : "timeout");
  });
  auto r = w.run();
  EXPECT_EQ(r.stop, otp::sim::StopReason::quiescent);
  EXPECT_TRUE(seen.empty()) << seen.front();
  EXPECT_TRUE(w.alive(sleeper));
  EXPECT_EQ(w.now_ms(), kMax / 2);
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(*left, 0);
  for (const auto& line : w.trace_lines()) EXPECT_EQ(line.find("\"t\":-"), std::string::npos) << line;
}

// erlang:send_after to a pid: the timer goes with its destination's exit. A process's timers to
// itself are cancelled when it exits: time does not run on to their deadlines, nothing is kept.
TEST(Timers, ATimerToItselfGoesWithItsProcessExit) {  // S6
  World w;
  Pid gone = w.spawn([](Process& self) -> Proc {
    self.send_after(self.self(), atom("tick"), 1'000'000'000);
    self.send_after(self.self(), atom("tock"), 500);
    co_await self.sleep(10);
  });
  auto r = w.run();
  EXPECT_EQ(r.stop, otp::sim::StopReason::quiescent);
  EXPECT_FALSE(w.alive(gone));
  EXPECT_EQ(w.node().message_timer_count(), 0u);
  EXPECT_EQ(w.now_ms(), 10) << "a timer of a process that exited kept time running to its deadline";
}

// Timers to other processes that exit are not kept without bound: a service that arms a long
// timer for each short-lived worker keeps at most twice the timers of its live ones, plus 64.
// cancel_timer finds none of them (false), as on the BEAM.
TEST(Timers, TimersToProcessesThatExitedAreNotKeptWithoutBound) {  // S6
  World w;
  std::optional<int64_t> cancelled = 0;
  size_t most = 0;
  w.spawn([&](Process& self) -> Proc {
    std::vector<Ref> refs;
    for (int i = 0; i < 1'000; ++i) {
      Pid p = self.spawn([](Process&) -> Proc { co_return; });
      co_await self.sleep(1);  // p has exited
      refs.push_back(self.send_after(p, atom("late"), 1'000'000'000));
      most = std::max(most, self.node().message_timer_count());
    }
    cancelled = self.cancel_timer(refs.front());
  });
  w.run();
  EXPECT_LE(most, 64u);
  EXPECT_FALSE(cancelled.has_value());
}

// Times from outside at their extremes: no overflow (UBSan would stop the test), a clear error
// for what is out of range.
TEST(Timers, ExtremeTimesSaturateOrAreRefused) {  // S90
  EXPECT_THROW(World({.timer_delay_max_ms = otp::sim::SimOptions::kMaxTimerDelayMs + 1}), std::invalid_argument);
  EXPECT_THROW(World({.timer_delay_max_ms = std::numeric_limits<uint32_t>::max()}), std::invalid_argument);
  World w({.timer_delay_max_ms = 1'000});
  bool woke = false;
  w.spawn([&](Process& self) -> Proc {
    co_await self.sleep(5);
    co_await self.sleep(std::numeric_limits<int64_t>::max() - 10);  // armed; delayed, it stays below the end of time
    woke = true;
  });
  w.run_for(10);
  EXPECT_THROW(w.run_for(-1), std::invalid_argument);
  w.run_for(std::numeric_limits<int64_t>::max());  // from now > 0: saturates at the end of time
  EXPECT_FALSE(woke);
}

// erlang:send_after(T, Name, Msg), as measured on OTP 25 (tools/beam_diff/send_after_name.erl,
// 200 of 200 each): the name is looked up when the timer fires; nobody holds it then: dropped,
// no error; re-registered meanwhile: the new holder gets it.
TEST(Timers, SendAfterToANameGoesToItsHolderWhenItFires) {  // S6, S7
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w({.seed = seed});
    std::vector<std::string> seen;
    w.spawn([&](Process& self) -> Proc {
      Pid p1 = co_await start_holder(self, "srv");
      self.send_after("srv", atom("first"), 10);
      seen.push_back(co_await got_from(self, p1, 1000) + "@" + std::to_string(self.now_ms()));
      self.send_after("srv", atom("second"), 10);
      self.send(p1, atom("unregister"));
      self.send(p1, atom("sync"));
      co_await got_from(self, p1, infinity);  // p1 has given the name up
      Pid p2 = co_await start_holder(self, "srv");
      seen.push_back(co_await got_from(self, p2, 1000));
      seen.push_back(co_await got_from(self, p1, 50));
    });
    w.run();
    EXPECT_EQ(seen, (std::vector<std::string>{"first@10", "second", "nothing"})) << "seed " << seed;
  }
}

TEST(Timers, SendAfterToANameNobodyHoldsIsDroppedSilently) {  // S6, S7
  World w;
  std::vector<std::string> seen;
  Pid sender = w.spawn([&](Process& self) -> Proc {
    self.send_after("nobody", atom("x"), 5);  // nobody at arm time either: no badarg
    Pid p = co_await start_holder(self, "gone");
    self.send_after("gone", atom("y"), 5);
    self.send(p, tuple(atom("die"), atom("normal")));
    auto m = co_await self.receive_any(50);
    seen.push_back(m ? m->to_term().to_string() : "nothing");
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"nothing"}));
  EXPECT_EQ(w.exit_reason(sender)->to_string(), "normal");
}

// No exit ends a timer to a name, so the node's sweep of timers to dead pids keeps it too (more
// than the sweep's threshold of them, armed while nobody holds the name).
TEST(Timers, ManyTimersToANameOutliveTheSweepAndCancelGivesTimeLeft) {  // S6, S7
  World w;
  int64_t got = 0;
  std::optional<int64_t> left, after_fire;
  w.spawn([&](Process& self) -> Proc {
    for (int i = 0; i < 100; ++i) self.send_after("later", integer(i), 20);
    Ref t = self.send_after("later", atom("cancelled"), 100);
    Ref fires = self.send_after("later", atom("last"), 30);
    co_await self.sleep(10);
    left = self.cancel_timer(t);  // 90: nobody holds the name, the timer is still there
    Pid p = co_await start_holder(self, "later");
    while (co_await got_from(self, p, 50) != "nothing") ++got;
    after_fire = self.cancel_timer(fires);
  });
  w.run();
  EXPECT_EQ(got, 101);
  EXPECT_EQ(left, 90);
  EXPECT_FALSE(after_fire.has_value());
}

TEST(Timers, SendAfterToAnEmptyNameIsAUsageError) {  // S6
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    try {
      self.send_after("", atom("x"), 5);
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    try {
      self.send_after("srv", atom("x"), -1);
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    co_return;
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"send_after: an empty name", "send_after: negative time -1"}));
}

// A timer's ms left as Erlang prints it: a number, or false.
std::string show(std::optional<int64_t> left) { return left ? std::to_string(*left) : std::string("false"); }

// erlang:start_timer and erlang:read_timer, as measured on OTP 25 (tools/beam_diff/start_timer.erl):
// the message is {timeout, TRef, Msg}; read_timer answers the ms left and leaves the timer
// running; after it fired, after a cancel, and once its destination pid has exited it is false.
TEST(Timers, StartTimerDeliversTimeoutWithItsRefAndReadTimerLeavesItRunning) {  // S6
  World w;
  std::vector<std::string> seen;
  w.spawn([&](Process& self) -> Proc {
    Ref t = self.start_timer(self.self(), atom("hello"), 50);
    seen.push_back(show(self.read_timer(t)));
    co_await self.sleep(10);
    seen.push_back(show(self.read_timer(t)));
    auto m = co_await self.receive_any(100);
    const auto* tm = m ? m->get<TimeoutMsg>() : nullptr;
    seen.push_back(tm && tm->timer == t && m->to_term() == tuple(atom("timeout"), t, atom("hello")) ? "timeout@" + std::to_string(self.now_ms())
                                                                                                   : "wrong");
    seen.push_back(show(self.read_timer(t)));
    seen.push_back(show(self.cancel_timer(t)));
    Ref t3 = self.start_timer(self.self(), atom("y"), 100);
    seen.push_back(show(self.cancel_timer(t3)));
    seen.push_back(show(self.read_timer(t3)));
    seen.push_back(show(self.read_timer(self.make_ref())));  // a ref that is no timer
    Ref t0 = self.start_timer(self.self(), atom("zero"), 0);
    seen.push_back(show(self.read_timer(t0)));  // due, not delivered yet
    seen.push_back((co_await self.receive_any(0)) ? "got" : "none");
    seen.push_back((co_await self.receive_any(1)) ? "got" : "none");
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"50", "40", "timeout@50", "false", "false", "100", "false", "false", "0", "none", "got"}));
}

TEST(Timers, StartTimerToADeadPidReadsFalseAndToANameReachesItsHolder) {  // S6, S7
  World w;
  std::vector<std::string> seen;
  w.spawn([&](Process& self) -> Proc {
    Pid p = co_await start_holder(self, "nm");
    Ref t2 = self.start_timer(p, atom("x"), 100);
    seen.push_back(show(self.read_timer(t2)));
    Ref down = self.monitor(p);
    self.send(p, tuple(atom("die"), atom("normal")));
    co_await self.receive(down_of(down));
    seen.push_back(show(self.read_timer(t2)));  // its destination's exit cancelled it
    Pid q = co_await start_holder(self, "nm");
    Ref t4 = self.start_timer("nm", atom("z"), 20);
    seen.push_back(show(self.read_timer(t4)));
    seen.push_back(co_await got_from(self, q, 1000) == tuple(atom("timeout"), t4, atom("z")).to_string() ? "timeout" : "wrong");
    seen.push_back(show(self.read_timer(t4)));
    try {
      self.start_timer(self.self(), atom("x"), -1);
    } catch (const UsageError& e) {
      seen.push_back(e.what());
    }
    try {
      self.start_timer("", atom("x"), 1);
    } catch (const UsageError& e) {
      seen.push_back(e.what());
    }
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"100", "false", "20", "timeout", "false", "start_timer: negative time -1", "start_timer: an empty name"}));
}
