// The worker pool (S80): one outcome per job, named; retries only when asked; back-pressure;
// and the property suite catching the guide's original lossy design.
#include <gtest/gtest.h>

#include <otpsim/core/components/pool.hpp>
#include <otpsim/properties/pool_suite.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

pool::Job value_after(int64_t ms, int64_t v) {
  return [ms, v](Process& w) -> Task<Term> {
    if (ms > 0) co_await w.sleep(ms);
    co_return integer(v);
  };
}
pool::Job crash_after(int64_t ms) {
  return [ms](Process& w) -> Task<Term> {
    co_await w.sleep(ms);
    throw std::runtime_error("job failed");
  };
}

struct PoolWorld {
  World w;
  // Starts a pool under a trapping root, runs body, keeps the root alive afterwards.
  template <class Body>
  void run(pool::Options opts, Body body) {
    w.spawn([opts, body](Process& self) -> Proc {
      self.trap_exit(true);
      StartResult r = co_await pool::start_link(self, opts);
      EXPECT_TRUE(r.is_ok()) << r.to_term().to_string();
      co_await body(self);
      co_await self.receive([](const Message&) { return false; });
    });
    w.run({.max_steps = 1'000'000});
  }
};

}  // namespace

TEST(Pool, RunReturnsTheResultAndStatusCounts) {  // S80
  PoolWorld p;
  std::string status_idle, status_busy, got;
  p.run({.name = "p", .size = 2}, [&](Process& self) -> Task<void> {
    status_idle = (co_await pool::status(self, "p")).to_string();
    pool::async(self, "p", value_after(100, 7));
    co_await self.sleep(10);
    status_busy = (co_await pool::status(self, "p")).to_string();
    got = (co_await pool::run(self, "p", value_after(5, 42), 5000)).to_string();
  });
  EXPECT_EQ(status_idle, "[{available,2},{busy,0},{pending,0},{workers,2}]");
  EXPECT_EQ(status_busy, "[{available,1},{busy,1},{pending,0},{workers,2}]");
  EXPECT_EQ(got, "{ok,42}");
}

// A negative timeout (but otp::infinity) is the caller's mistake, said in the caller and naming
// the pool function (pool::async's collector arms the timer: it must not be the one to fail).
TEST(Pool, NegativeTimeoutIsAUsageErrorInTheCaller) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  bool collector_alive = false;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    auto job = [](Process&) -> Task<Term> { co_return atom("done"); };
    try {
      co_await pool::run(self, "p", job, -3);
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    try {
      pool::async(self, "p", job, -3);
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    pool::Submitted s = pool::submit(self, "p", job);
    try {
      co_await pool::await(self, s, -3);
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    got.push_back((co_await pool::await(self, s)).to_string());
    pool::async(self, "p", job, 100);  // the collector took no harm: this job's outcome comes
    auto m = co_await self.receive_any(1000);
    collector_alive = m.has_value();
  });
  EXPECT_EQ(got, (std::vector<std::string>{"pool::run: timeout must be >= 0 ms or otp::infinity, got -3",
                                           "pool::async: timeout must be >= 0 ms or otp::infinity, got -3",
                                           "pool::await: timeout must be >= 0 ms or otp::infinity, got -3", "{ok,done}"}));
  EXPECT_TRUE(collector_alive);
}

// S80's outcomes are for jobs: an empty job, or a pool without a name, is the caller's mistake,
// refused in the caller with a UsageError that says so (an empty job crashed a worker with
// bad_function_call; an empty name registered ".dispatcher").
TEST(Pool, EmptyJobOrNameIsAUsageError) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    try {
      co_await pool::run(self, "p", pool::Job{}, 100);
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    try {
      pool::async(self, "p", pool::Job{});
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    try {
      pool::submit(self, "p", pool::Job{});
    } catch (const UsageError& e) {
      got.push_back(e.what());
    }
    try {
      co_await pool::start_link(self, {.name = "", .size = 1});
    } catch (const UsageError& e) {
      got.push_back(std::string(e.what()).substr(0, 24));
    }
    got.push_back((co_await pool::status(self, "p")).to_string());
  });
  EXPECT_EQ(got, (std::vector<std::string>{"pool::run: the job's function is empty", "pool::async: the job's function is empty",
                                           "pool::submit: the job's function is empty", "pool: a name is required",
                                           "[{available,1},{busy,0},{pending,0},{workers,1}]"}));
}

TEST(Pool, AsyncDeliversOneTaskResult) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    pool::async(self, "p", value_after(20, 1));
    pool::async(self, "p", crash_after(20));
    for (int i = 0; i < 3; ++i)
      if (auto m = co_await self.receive_any(10'000)) got.push_back(m->to_term().to_string());
  });
  ASSERT_EQ(got.size(), 2u);  // exactly one each, nothing more
  EXPECT_EQ(got[0], "{task_result,{ok,1}}");
  EXPECT_EQ(got[1].rfind("{task_result,{error,{worker_crashed,", 0), 0u) << got[1];
}

TEST(Pool, AsyncTimeoutAnswersOnceAndDropsTheQueuedJob) {  // S80: async keeps run's timeout rule
  PoolWorld p;
  auto ran = std::make_shared<bool>(false);
  std::vector<std::string> got;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    pool::async(self, "p", value_after(100, 1));
    pool::Job never = [ran](Process&) -> Task<Term> {
      *ran = true;
      co_return atom("ran");
    };
    pool::async(self, "p", never, 50);       // queued behind the first, times out at 50 ms
    pool::async(self, "p", value_after(100, 2), 120);  // starts at ~100 ms, still running at 120
    for (int i = 0; i < 4; ++i)
      if (auto m = co_await self.receive_any(1000)) got.push_back(m->to_term().to_string());
  });
  ASSERT_EQ(got.size(), 3u);  // exactly one each: the late {ok,2} is dropped
  EXPECT_EQ(got[0], "{task_result,{error,timeout}}");
  EXPECT_EQ(got[1], "{task_result,{ok,1}}");
  EXPECT_EQ(got[2], "{task_result,{error,timeout}}");
  EXPECT_FALSE(*ran);
}

TEST(Pool, AsyncJobsOutstandingWhenTheDispatcherDiesAreAnsweredThenServedByItsSuccessor) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    for (int i = 0; i < 3; ++i) pool::async(self, "p", value_after(100, i));  // one running, two queued
    co_await self.sleep(10);
    self.exit(self.whereis(pool::dispatcher_name("p")), atom("kill"));
    for (int i = 0; i < 3; ++i)
      if (auto m = co_await self.receive_any(1000)) got.push_back(m->to_term().to_string());
    co_await self.sleep(10);  // the pool restarts (one_for_all)
    pool::async(self, "p", value_after(1, 9));
    if (auto m = co_await self.receive_any(1000)) got.push_back(m->to_term().to_string());
    if (auto m = co_await self.receive_any(1000)) got.push_back("extra: " + m->to_term().to_string());
  });
  ASSERT_EQ(got.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], "{task_result,{error,{dispatcher_down,killed}}}");
  EXPECT_EQ(got[3], "{task_result,{ok,9}}");
}

TEST(Pool, AsyncWithoutAPoolAnswersNoproc) {  // S80
  World w;
  std::string got;
  w.spawn([&](Process& self) -> Proc {
    pool::async(self, "nowhere", value_after(1, 1));
    if (auto m = co_await self.receive_any(1000)) got = m->to_term().to_string();
  });
  w.run({.max_steps = 100'000});
  EXPECT_EQ(got, "{task_result,{error,{dispatcher_down,noproc}}}");
}

TEST(Pool, AsyncCollectorEndsWithItsCallerAndIsReplacedIfKilled) {  // S80
  PoolWorld p;
  Pid collector{}, second{};
  bool collector_alive_after_caller = true;
  std::string got;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    Pid root = self.self();
    auto [caller, mon] = self.spawn_monitor([&collector, root](Process& c) -> Proc {
      auto pids = c.node().live_pids();
      pool::async(c, "p", value_after(1, 1));
      for (Pid q : c.node().live_pids())
        if (std::find(pids.begin(), pids.end(), q) == pids.end()) collector = q;
      co_await c.receive_any(1000);
      c.send(root, atom("first_done"));
      co_await c.receive_any();  // then waits: killed below
    });
    co_await self.receive([](const Message& m) { const Term* t = m.get<Term>(); return t && t->is_atom("first_done"); });
    self.exit(caller, atom("kill"));
    co_await self.receive([ref = mon](const Message& m) { const auto* d = m.get<DownMsg>(); return d && d->ref == ref; });
    co_await self.sleep(1);
    collector_alive_after_caller = self.node().alive(collector);
    // Killing a caller's collector loses only what it held: the next async gets a new one.
    auto pids = self.node().live_pids();
    pool::async(self, "p", value_after(1, 2));
    for (Pid q : self.node().live_pids())
      if (std::find(pids.begin(), pids.end(), q) == pids.end()) second = q;
    self.exit(second, atom("kill"));
    co_await self.sleep(1);
    pool::async(self, "p", value_after(1, 3));
    if (auto m = co_await self.receive_any(1000)) got = m->to_term().to_string();
  });
  EXPECT_TRUE(collector);
  EXPECT_FALSE(collector_alive_after_caller);
  EXPECT_TRUE(second);
  EXPECT_EQ(got, "{task_result,{ok,3}}");
}

TEST(Pool, WorkerCrashMidJobIsReportedAndTheWorkerReplaced) {  // S80
  PoolWorld p;
  std::string crashed, after, status;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    crashed = (co_await pool::run(self, "p", crash_after(10), 60'000)).to_string();
    after = (co_await pool::run(self, "p", value_after(1, 5), 60'000)).to_string();
    status = (co_await pool::status(self, "p")).to_string();
  });
  EXPECT_EQ(crashed.rfind("{error,{worker_crashed,", 0), 0u) << crashed;
  EXPECT_EQ(p.w.now_ms(), 11);  // no waiting for a timeout
  EXPECT_EQ(after, "{ok,5}");
  EXPECT_EQ(status, "[{available,1},{busy,0},{pending,0},{workers,1}]");
}

TEST(Pool, RetriesOnlyWhenAsked) {  // S80: max_attempts
  for (int attempts : {1, 2}) {
    PoolWorld p;
    auto runs = std::make_shared<int>(0);
    std::string got;
    pool::Job flaky = [runs](Process& w) -> Task<Term> {
      co_await w.sleep(1);
      if (++*runs == 1) w.exit(atom("flaky"));
      co_return atom("fine");
    };
    p.run({.name = "p", .size = 1, .max_attempts = attempts}, [&](Process& self) -> Task<void> {
      got = (co_await pool::run(self, "p", flaky, 60'000)).to_string();
    });
    if (attempts == 1) {
      EXPECT_EQ(got, "{error,{worker_crashed,flaky}}");
      EXPECT_EQ(*runs, 1);
    } else {
      EXPECT_EQ(got, "{ok,fine}");
      EXPECT_EQ(*runs, 2);
    }
  }
}

TEST(Pool, DispatcherDeathAnswersEveryWaitingCaller) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  std::string after;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    for (int i = 0; i < 3; ++i) {  // one running, two queued
      self.spawn([&got, i](Process& c) -> Proc {
        got.push_back((co_await pool::run(c, "p", value_after(100, i), 60'000)).to_string());
      });
    }
    co_await self.sleep(10);
    self.exit(self.whereis(pool::dispatcher_name("p")), atom("kill"));
    co_await self.sleep(10);  // the pool restarts (one_for_all) and serves again
    after = (co_await pool::run(self, "p", value_after(1, 9), 60'000)).to_string();
  });
  ASSERT_EQ(got.size(), 3u);
  for (const auto& g : got) EXPECT_EQ(g, "{error,{dispatcher_down,killed}}");
  EXPECT_EQ(after, "{ok,9}");
}

TEST(Pool, BoundedQueueRefusesWithOverloaded) {  // S80: back-pressure
  PoolWorld p;
  std::vector<std::string> got;
  p.run({.name = "p", .size = 1, .max_pending = 1}, [&](Process& self) -> Task<void> {
    for (int i = 0; i < 3; ++i) pool::async(self, "p", value_after(50, i));
    for (int i = 0; i < 3; ++i)
      if (auto m = co_await self.receive_any(10'000)) got.push_back(m->to_term().to_string());
  });
  // The caller's collector submits the three in order (S5): the first runs, the second waits,
  // the third is refused at once.
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "{task_result,{error,overloaded}}");
  EXPECT_EQ(got[1], "{task_result,{ok,0}}");
  EXPECT_EQ(got[2], "{task_result,{ok,1}}");
}

TEST(Pool, TimeoutDropsAQueuedJob) {  // S80: a timed-out caller's queued job never runs
  PoolWorld p;
  auto ran = std::make_shared<bool>(false);
  std::string got;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    pool::async(self, "p", value_after(100, 1));
    co_await self.sleep(1);
    pool::Job never = [ran](Process&) -> Task<Term> {
      *ran = true;
      co_return atom("ran");
    };
    got = (co_await pool::run(self, "p", never, 50)).to_string();
    co_await self.sleep(200);
  });
  EXPECT_EQ(got, "{error,timeout}");
  EXPECT_FALSE(*ran);
}

TEST(Pool, InvalidOptionsAreRejected) {
  EXPECT_THROW(pool::child_spec({.name = "p", .size = 0}), UsageError);
  EXPECT_THROW(pool::child_spec({.name = "p", .size = 2, .max_attempts = 0}), UsageError);
}

// S80 has teeth: the guide's original design loses jobs, and the suite says so.
TEST(PoolProperty, CatchesTheGuidesLostJobBug) {
  int failures = 0;
  std::string first;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    sim::Draws d(seed);
    auto c = properties::random_pool_case(d, true);
    if (auto f = properties::check_pool_case(c)) {
      if (!failures++) first = *f;
    }
  }
  EXPECT_GT(failures, 0);
  EXPECT_NE(first.find("timeout"), std::string::npos) << first;
}

TEST(PoolProperty, HoldsForOurPool) {  // S80
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    sim::Draws d(seed);
    auto c = properties::random_pool_case(d);
    auto f = properties::check_pool_case(c);
    ASSERT_FALSE(f.has_value()) << properties::describe(c) << "\n" << *f << "\notpsim replay otpsim2:x:" << seed << ":-:suite/pool";
  }
}

TEST(Pool, SubmitAwaitSharesOneMonitorAndLeavesNoStrayDown) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  std::string leftover = "none", after;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    std::vector<pool::Submitted> subs;
    for (int i = 0; i < 4; ++i) subs.push_back(pool::submit(self, "p", value_after(100, i)));
    EXPECT_EQ(subs[0].monitor, subs[3].monitor);  // one monitor for the four jobs
    co_await self.sleep(10);
    self.exit(self.whereis(pool::dispatcher_name("p")), atom("kill"));
    for (const auto& s : subs) got.push_back((co_await pool::await(self, s)).to_string());
    if (auto m = co_await self.receive_any(0)) leftover = m->to_term().to_string();
    co_await self.sleep(10);  // the pool has restarted
    after = (co_await pool::await(self, pool::submit(self, "p", value_after(1, 7)))).to_string();
  });
  for (const auto& g : got) EXPECT_EQ(g, "{error,{dispatcher_down,killed}}");
  EXPECT_EQ(leftover, "none");
  EXPECT_EQ(after, "{ok,7}");
}

TEST(Pool, JobsOfAReplacedDispatcherStillLearnItsFate) {  // S80
  PoolWorld p;
  std::vector<std::string> got;
  std::string leftover = "none";
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    auto old1 = pool::submit(self, "p", value_after(100, 1));
    auto old2 = pool::submit(self, "p", value_after(100, 2));
    co_await self.sleep(10);
    self.exit(self.whereis(pool::dispatcher_name("p")), atom("kill"));
    co_await self.sleep(10);  // the pool has restarted: a new dispatcher is registered
    auto fresh = pool::submit(self, "p", value_after(1, 3));
    EXPECT_NE(fresh.monitor, old1.monitor);  // the new dispatcher is watched on its own
    got.push_back((co_await pool::await(self, fresh)).to_string());
    got.push_back((co_await pool::await(self, old2)).to_string());
    got.push_back((co_await pool::await(self, old1)).to_string());
    if (auto m = co_await self.receive_any(0)) leftover = m->to_term().to_string();
  });
  EXPECT_EQ(got, (std::vector<std::string>{"{ok,3}", "{error,{dispatcher_down,killed}}", "{error,{dispatcher_down,killed}}"}));
  EXPECT_EQ(leftover, "none");
}

TEST(Pool, AwaitingAJobTwiceIsAUsageError) {  // S80: each submitted job is awaited once
  PoolWorld p;
  std::string first, second;
  p.run({.name = "p", .size = 1}, [&](Process& self) -> Task<void> {
    auto job = pool::submit(self, "p", value_after(1, 5));
    first = (co_await pool::await(self, job)).to_string();
    try {
      co_await pool::await(self, job);
    } catch (const UsageError& e) {
      second = e.what();
    }
  });
  EXPECT_EQ(first, "{ok,5}");
  EXPECT_EQ(second, "pool::await: this job was already awaited, or was not submitted by this process");
}

// As supervisor:start_link({local, Name}, ...) (and gen_server's start with a name): a second
// start of a pool of a name that is running returns {error, {already_started, Pid}}, Pid the
// running pool's supervisor; nothing of the second starts, the caller (not trapping) lives on,
// and the first pool keeps serving.
TEST(Pool, StartingAPoolTwiceReturnsAlreadyStartedWithTheRunningPool) {  // S10, S80
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    World w({.seed = seed});
    std::vector<std::string> got;
    Pid first{}, holder{};
    w.spawn([&](Process& self) -> Proc {
      StartResult a = co_await pool::start_link(self, {.name = "p", .size = 2});
      first = a.pid;
      holder = self.whereis(pool::supervisor_name("p"));
      StartResult b = co_await pool::start_link(self, {.name = "p", .size = 3});
      got.push_back(b.to_term() == tuple(atom("error"), tuple(atom("already_started"), first)) ? "already_started first" : b.to_term().to_string());
      co_await self.sleep(10);
      got.push_back((co_await pool::run(self, "p", value_after(5, 42), 5000)).to_string());
      got.push_back((co_await pool::status(self, "p")).to_string());
      co_await self.receive([](const Message&) { return false; });
    });
    w.run({.max_steps = 1'000'000});
    EXPECT_TRUE(first);
    EXPECT_EQ(holder, first);
    EXPECT_EQ(got, (std::vector<std::string>{"already_started first", "{ok,42}",
                                             "[{available,2},{busy,0},{pending,0},{workers,2}]"}))
        << "seed " << seed;
  }
}
