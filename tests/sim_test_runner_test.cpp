// The simulation-test runner (testing/): verdicts, strategies, faults, tokens, bad input.
// These drive testing::check directly on TestDefs (no OTPSIM_TEST): several must fail.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <memory>

#include <otpsim/sim/token.hpp>
#include <otpsim/testing/check.hpp>
#include <otpsim/testing/env.hpp>
#include <otpsim/testing/gtest.hpp>
#include <otpsim/testing/registry.hpp>

using namespace otp;
using namespace otp::testing;

namespace {

// Two senders; the receiver assumes a (from the first) arrives before b (from the second).
// Only their per-pair order is guaranteed (S5), so some schedules deliver b first.
Task<void> ordering_race(SimTest& t) {
  Pid me = t.pid();
  t.self().spawn([me](Process& self) -> Proc {
    self.send(me, atom("a"));
    co_return;
  });
  t.self().spawn([me](Process& self) -> Proc {
    self.send(me, atom("b"));
    co_return;
  });
  auto first = co_await t.self().receive_any();
  if (!first->get<Term>()->is_atom("a")) t.fail("b arrived before a");
  co_await t.self().receive_any();
}

TestDef def(std::string name, TestBody body, Config c = {}) { return TestDef{std::move(name), std::move(body), c}; }

}  // namespace

// S5: messages from different senders have no order; random schedules find it, the stream
// replays it exactly (same trace hash), and shrinking keeps it failing.
TEST(SimTestRunner, RandomFindsAnOrderingAssumptionAndTheTokenReplaysIt) {
  TestDef d = def("Runner.Ordering", ordering_race, {.runs = 200});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_TRUE(r.reproducible) << r.not_reproducible_why;
  EXPECT_EQ(r.minimal.failures.front().message, "b arrived before a");
  EXPECT_LE(r.minimal.stream.size(), r.found.stream.size());
  RunOutcome again = replay(d, r.token);
  EXPECT_EQ(again.verdict, Verdict::failed);
  EXPECT_EQ(again.trace_hash, r.minimal.trace_hash);
}

TEST(SimTestRunner, PctDfsAndDporFindTheSameRace) {  // S5
  for (Search s : {Search::pct, Search::dfs, Search::dpor}) {
    TestDef d = def("Runner.Ordering", ordering_race, {.strategy = s, .runs = 500});
    CheckResult r = check(d, d.config);
    ASSERT_TRUE(r.failed_at.has_value()) << to_string(s);
    EXPECT_TRUE(r.reproducible) << r.not_reproducible_why;
    EXPECT_EQ(replay(d, r.token).trace_hash, r.minimal.trace_hash) << to_string(s);
  }
}

TEST(SimTestRunner, ACorrectTestPassesEveryRunAndDfsExhausts) {
  auto body = [](SimTest& t) -> Task<void> {
    Pid me = t.pid();
    t.self().spawn([me](Process& self) -> Proc {
      self.send(me, atom("a"));
      self.send(me, atom("b"));  // one sender: a before b (S5)
      co_return;
    });
    auto first = co_await t.self().receive_any();
    if (!first->get<Term>()->is_atom("a")) t.fail("per-pair order broken");
    co_await t.self().receive_any();
  };
  TestDef d = def("Runner.Fifo", body, {.runs = 300});
  CheckResult r = check(d, d.config);
  EXPECT_FALSE(r.failed_at.has_value());
  EXPECT_EQ(r.runs, 300u);
  TestDef e = def("Runner.Fifo", body, {.strategy = Search::dfs, .runs = 10'000, .bound = 3});
  CheckResult x = check(e, e.config);
  EXPECT_FALSE(x.failed_at.has_value());
  EXPECT_TRUE(x.exhausted);
  TestDef p = def("Runner.Fifo", body, {.strategy = Search::dpor, .runs = 10'000});
  CheckResult y = check(p, p.config);
  EXPECT_FALSE(y.failed_at.has_value());
  EXPECT_TRUE(y.exhausted);
  EXPECT_EQ(y.runs, 1u) << "one sender, one receiver: a single trace";
}

TEST(SimTestRunner, ABodyWaitingForeverIsADeadlockWithTheBlockedProcesses) {
  TestDef d = def("Runner.Deadlock", [](SimTest& t) -> Task<void> {
    co_await t.self().receive([](const Message& m) { return m.get<Term>() && m.get<Term>()->is_atom("never"); });
  }, {.runs = 1});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(r.found.verdict, Verdict::deadlock);
  EXPECT_NE(r.found.failures.front().message.find("blocked processes:\n  <0.1.0> (the test process): receive"), std::string::npos)
      << r.found.describe();
}

TEST(SimTestRunner, AWorldThatNeverGoesQuietIsALivenessFailure) {
  TestDef d = def("Runner.Livelock", [](SimTest& t) -> Task<void> {
    t.self().spawn([](Process& self) -> Proc {
      for (;;) co_await self.yield();  // busy forever
    });
    co_return;
  }, {.runs = 1, .max_steps = 5'000});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(r.found.verdict, Verdict::no_quiescence);
  EXPECT_NE(r.found.failures.front().message.find("after 5000 steps"), std::string::npos);
}

TEST(SimTestRunner, AnInvariantIsCheckedAfterEveryStepAndStopsTheRun) {
  int checks = 0;
  TestDef d = def("Runner.Invariant", [&checks](SimTest& t) -> Task<void> {
    auto counter = std::make_shared<int>(0);  // the run stops inside the loop: nothing to delete by hand
    t.invariant([&checks, counter, &t] {
      ++checks;
      if (*counter > 2) t.fail("counter above 2");
    });
    for (int i = 0; i < 5; ++i) {
      ++*counter;
      co_await t.self().yield();
    }
  }, {.runs = 1, .shrink = false});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(r.found.failures.front().message, "counter above 2");
  EXPECT_GT(checks, 2);
}

TEST(SimTestRunner, AnInvariantOrFinalCheckThatThrowsIsAFailureNotACrash) {
  TestDef d = def("Runner.Throws", [](SimTest& t) -> Task<void> {
    t.at_end([] { throw std::runtime_error("final check exploded"); });
    co_return;
  }, {.runs = 1});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(r.found.failures.front().message, "a final check threw: final check exploded");
  TestDef b = def("Runner.BodyThrows", [](SimTest&) -> Task<void> {
    throw std::runtime_error("before the first co_await");
    co_return;
  }, {.runs = 1});
  CheckResult x = check(b, b.config);
  ASSERT_TRUE(x.failed_at.has_value());
  EXPECT_NE(x.found.failures.front().message.find("the test process exited with"), std::string::npos);
  EXPECT_NE(x.found.failures.front().message.find("before the first co_await"), std::string::npos);
}

// Swarm faults hit the user's processes, never the test process, and replay from the token.
TEST(SimTestRunner, SwarmFaultsCrashUserProcessesAndReplay) {
  auto body = [](SimTest& t) -> Task<void> {
    t.self().trap_exit(true);
    Pid w = t.self().spawn_link([](Process& self) -> Proc {
      for (int i = 0; i < 50; ++i) co_await self.sleep(10);
    });
    auto m = co_await t.self().receive(exit_from(w));
    const Term& reason = m->get<ExitMsg>()->reason;
    if (!reason.is_atom("normal")) t.fail("worker exited with " + reason.to_string());
  };
  TestDef d = def("Runner.Swarm", body, {.runs = 200, .faults = {.crash = true, .kill = true, .exit_signal = true}});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_TRUE(r.reproducible) << r.not_reproducible_why;
  EXPECT_NE(r.minimal.case_text.find("injected fault"), std::string::npos) << r.minimal.case_text;
  EXPECT_EQ(replay(d, r.token).trace_hash, r.minimal.trace_hash);
  TestDef quiet = def("Runner.Swarm", body, {.runs = 50});  // no faults: passes
  EXPECT_FALSE(check(quiet, quiet.config).failed_at.has_value());
}

// A failure's "case: N injected fault(s)" counts the faults that landed, as the trace's inject
// events do: a planned fault that finds only the runner's own processes alive is spent, not told.
TEST(SimTestRunner, CaseTextCountsTheFaultsThatLanded) {
  auto body = [](SimTest& t) -> Task<void> {
    t.self().trap_exit(true);
    for (int i = 0; i < 4; ++i) t.self().spawn_link([](Process& self) -> Proc { co_await self.sleep(50); });
    co_await t.self().sleep(100);
  };
  TestDef d = def("Runner.CaseText", body, {.faults = {.crash = true, .max_faults = 4, .max_gap_steps = 3}});
  int told_more_than_one = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    RunOutcome o = run_once(d, {.seed = seed, .trace = true});
    size_t injected = 0;
    for (const std::string& l : o.trace) injected += l.find("\"ev\":\"inject\"") != std::string::npos;
    size_t said = o.case_text.find("injected fault") == std::string::npos ? 0 : std::stoul(o.case_text);
    EXPECT_EQ(said, injected) << "seed " << seed << ": '" << o.case_text << "'";
    told_more_than_one += said > 1;
  }
  EXPECT_GT(told_more_than_one, 0);
}

// A failure with no place of its own — a deadlock — is reported at the test's declaration (its
// file and line), not inside the library's gtest.hpp.
TEST(SimTestRunner, DeadlockIsReportedAtTheTestsDeclaration) {
  TestDef d = def("Runner.DeadlockPlace", [](SimTest& t) -> Task<void> {
    co_await t.self().receive([](const Message&) { return false; });
  }, {.runs = 1});
  d.file = "my_tests.cpp";
  d.line = 42;
  register_test(d);
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD,
                                                         &results);
    run_in_gtest("Runner.DeadlockPlace");
  }
  ASSERT_EQ(results.size(), 1);
  const ::testing::TestPartResult& r = results.GetTestPartResult(0);
  EXPECT_TRUE(r.failed());
  EXPECT_STREQ(r.file_name(), "my_tests.cpp");
  EXPECT_EQ(r.line_number(), 42);
  EXPECT_NE(std::string(r.message()).find("deadlock"), std::string::npos) << r.message();
}

TEST(SimTestRunner, FaultPointsAreNoOpsUntilTheSwarmTurnsThemOn) {
  auto body = [](SimTest& t) -> Task<void> {
    if (t.self().fault("drop_write")) t.fail("fault point fired");
    co_return;
  };
  TestDef off = def("Runner.FaultPoint", body, {.runs = 100});
  EXPECT_FALSE(check(off, off.config).failed_at.has_value());
  TestDef on = def("Runner.FaultPoint", body, {.runs = 100, .faults = {.fault_point_per_million = 1'000'000}});
  CheckResult r = check(on, on.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(replay(on, r.token).verdict, Verdict::failed);
}

TEST(SimTestRunner, TimerDelaysAreDrawnAndReplayed) {
  auto body = [](SimTest& t) -> Task<void> {
    int64_t before = t.now_ms();
    co_await t.self().sleep(10);
    if (t.now_ms() - before > 10) t.fail("timer fired " + std::to_string(t.now_ms() - before - 10) + " ms late");
  };
  TestDef d = def("Runner.Delay", body, {.runs = 50, .faults = {.max_timer_delay_ms = 20}});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(r.minimal.failures.front().message, "timer fired 1 ms late");  // shrunk to the smallest delay
}

// Inputs drawn by the body share the stream with the schedule, so they shrink together.
TEST(SimTestRunner, DrawnInputsShrinkWithTheSchedule) {
  TestDef d = def("Runner.Draws", [](SimTest& t) -> Task<void> {
    uint32_t n = t.draw(1000);
    t.note("n = " + std::to_string(n));
    if (n >= 10) t.fail("n >= 10");
    co_return;
  }, {.runs = 100});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_EQ(r.minimal.case_text, "n = 10");
}

TEST(SimTestRunner, UncontrolledNondeterminismIsReportedNotTokenised) {
  static int calls = 0;
  TestDef d = def("Runner.Nondeterministic", [](SimTest& t) -> Task<void> {
    if (++calls % 2 == 0) t.fail("every other call");  // state outside the simulation
    co_return;
  }, {.runs = 10, .shrink = false});
  CheckResult r = check(d, d.config);
  ASSERT_TRUE(r.failed_at.has_value());
  EXPECT_FALSE(r.reproducible);
  EXPECT_NE(r.not_reproducible_why.find("passed"), std::string::npos) << r.not_reproducible_why;
}

TEST(SimTestRunner, TokensForAnotherTestOrBuildAreErrors) {
  TestDef d = def("Runner.Ordering", ordering_race, {.runs = 1});
  EXPECT_THROW(replay(d, make_token("test/Runner.Other", 1, std::vector<uint32_t>{})), std::invalid_argument);
  EXPECT_THROW(replay(d, make_token("suite/pool", 1)), std::invalid_argument);
  EXPECT_THROW(replay(d, "otpsim2:otherbuild:1:-:test/Runner.Ordering"), std::invalid_argument);
  EXPECT_THROW(replay(d, "otpsim2:nonsense"), std::invalid_argument);
}

TEST(SimTestRunner, BadConfigAndEnvironmentAreErrorsNamingTheValue) {
  TestDef d = def("Runner.Ordering", ordering_race, {.runs = 0});
  EXPECT_THROW(check(d, d.config), std::invalid_argument);
  auto env_error = [](const char* var, const char* value) -> std::string {
    setenv(var, value, 1);
    std::string what;
    try {
      apply_env(Config{});
    } catch (const std::invalid_argument& e) {
      what = e.what();
    }
    unsetenv(var);
    return what;
  };
  EXPECT_EQ(env_error("OTPSIM_STRATEGY", "bfs"), "OTPSIM_STRATEGY must be random, pct, dfs or dpor, got 'bfs'");
  EXPECT_EQ(env_error("OTPSIM_RUNS", "-1"), "OTPSIM_RUNS must be a whole number in 1..10000000, got '-1'");
  EXPECT_EQ(env_error("OTPSIM_RUNS", "1e6"), "OTPSIM_RUNS must be a whole number in 1..10000000, got '1e6'");
  EXPECT_EQ(env_error("OTPSIM_SHARD", "3/2"), "OTPSIM_SHARD must be i/n with 0 <= i < n <= 1000000, got '3/2'");
  EXPECT_EQ(env_error("OTPSIM_SHARD", "2"), "OTPSIM_SHARD must be i/n with 0 <= i < n <= 1000000, got '2'");
  EXPECT_EQ(env_error("OTPSIM_SEED", "18446744073709551615"),
            "OTPSIM_SEED=18446744073709551615 with 1000 runs goes past seed 18446744073709551615");
  EXPECT_EQ(env_error("OTPSIM_RUNS", ""), "OTPSIM_RUNS is set but empty: give it a value or unset it");
  setenv("OTPSIM_RUNS", "7", 1);
  setenv("OTPSIM_STRATEGY", "pct", 1);
  Config c = apply_env(Config{});
  unsetenv("OTPSIM_RUNS");
  unsetenv("OTPSIM_STRATEGY");
  EXPECT_EQ(c.runs, 7u);
  EXPECT_EQ(c.strategy, Search::pct);
}

TEST(SimTestRunner, ShardsSplitTheRuns) {
  TestDef d = def("Runner.Fifo", [](SimTest&) -> Task<void> { co_return; }, {.runs = 10, .shard_index = 1, .shard_count = 3});
  EXPECT_EQ(check(d, d.config).runs, 3u);  // runs 1, 4, 7
}

TEST(SimTestRunner, RegistryRejectsDuplicateAndInvalidNames) {
  register_test(def("Runner.Registered", ordering_race));
  EXPECT_THROW(register_test(def("Runner.Registered", ordering_race)), std::invalid_argument);
  EXPECT_THROW(register_test(def("has space", ordering_race)), std::invalid_argument);
  EXPECT_THROW(register_test(def("", ordering_race)), std::invalid_argument);
}

// RapidCheck users keep their generators: RapidCheck makes the run's whole stream (inputs,
// schedule, faults) and shrinks it with its own shrinker; any list is a valid run.
RC_GTEST_PROP(SimTestRunner, RapidCheckCanDriveTheStream, (std::vector<uint32_t> script)) {
  TestDef d = def("Runner.Fifo", [](SimTest& t) -> Task<void> {
    Pid me = t.pid();
    uint32_t n = 1 + t.draw(5);
    t.self().spawn([me, n](Process& self) -> Proc {
      for (uint32_t i = 0; i < n; ++i) self.send(me, integer(i));
      co_return;
    });
    for (uint32_t i = 0; i < n; ++i) {
      auto m = co_await t.self().receive_any();
      if (m->get<Term>()->integer_value() != i) t.fail("out of order");  // S5: one sender, in order
    }
  }, {.faults = {.max_timer_delay_ms = 5}});
  RunOutcome o = run_once(d, {.script = script});
  RC_ASSERT(o.passed());
}
