// A bug hunt with simulation tests: each planted bug of app.hpp is found by the runner, shrunk
// and replayed from its token; the fixed variant of each passes 10,000 runs.
//   ./bughunt --gtest_filter='*Fixed*'            the fixes (passing)
//   ./bughunt --gtest_filter=Ordering.Buggy       one bug (failing, with a replay token)
//   ./bughunt check all-tests --runs 10000        the same tests from the command line
//   ./bughunt debug-replay <token>                replay through the library call
#include <cstdio>

#include <otpsim/testing/cli.hpp>
#include <otpsim/testing/gtest.hpp>

#include "app.hpp"

using namespace otp;

namespace {

// (a) Four jobs dispatched; every result must be counted.
Task<void> ordering(SimTest& t, bool fixed) {
  Process& self = t.self();
  Pid tally = co_await t.start_supervised(worker_spec(atom("tally"), [fixed] { return std::make_unique<shop::Tally>(fixed); }));
  uint32_t jobs = 1 + t.draw(4);  // an input drawn from the run's stream: shrinks with the schedule
  t.note(std::to_string(jobs) + " job(s)");
  for (uint32_t i = 0; i < jobs; ++i) shop::dispatch(self, tally, i);
  co_await self.sleep(1);  // after a virtual ms, every cast has landed (S90)
  Message counted = co_await gen_server::call(self, tally, atom("count"));
  EXPECT_EQ(counted.get<Term>()->integer_value(), static_cast<int64_t>(jobs)) << "results counted by the tally";
}

// (b) Three jobs under swarm faults on their workers: each must end up done.
Task<void> lost_jobs(SimTest& t, bool fixed) {
  Process& self = t.self();
  t.pause_faults();  // faults hit the workers, not the queue itself
  Pid jobs = co_await t.start_supervised(worker_spec(atom("jobs"), [fixed] { return std::make_unique<shop::Jobs>(fixed); }));
  t.protect(jobs);
  t.resume_faults();
  for (int64_t id = 0; id < 3; ++id) gen_server::cast(self, jobs, tuple(atom("run"), integer(id)));
  int64_t done = 0;
  for (int i = 0; i < 100 && done < 3; ++i) {  // poll for up to a virtual second
    co_await self.sleep(10);
    done = (co_await gen_server::call(self, jobs, atom("done"))).get<Term>()->integer_value();
  }
  EXPECT_EQ(done, 3) << "jobs done after a second";
}

// (c) The service must stay up while swarm faults crash its workers: its supervisor is the
// same process at the end (the test supervisor would have restarted it had it given up).
Task<void> stays_up(SimTest& t, bool fixed) {
  Process& self = t.self();
  t.pause_faults();  // faults hit the workers once the service is up, not its supervisor
  Pid service = co_await t.start_supervised(shop::service_spec(fixed));
  t.protect(service);
  t.resume_faults();
  t.invariant([&t, service] {
    if (!t.node().alive(service)) t.fail("the service's supervisor gave up (restart intensity exceeded) and the service went down");
  });
  co_await self.sleep(1000);  // a virtual second of service while faults land
}

constexpr otp::testing::Faults kWorkerFaults{.crash = true, .kill = true, .exit_signal = true, .max_faults = 4, .max_gap_steps = 40};

}  // namespace

OTPSIM_TEST_WITH(Ordering, Buggy, {.runs = 1000}) { co_await ordering(t, false); }
OTPSIM_TEST_WITH(Ordering, Fixed, {.runs = 10'000}) { co_await ordering(t, true); }
OTPSIM_TEST_WITH(LostJobs, Buggy, {.runs = 1000, .faults = kWorkerFaults}) { co_await lost_jobs(t, false); }
OTPSIM_TEST_WITH(LostJobs, Fixed, {.runs = 10'000, .faults = kWorkerFaults}) { co_await lost_jobs(t, true); }
OTPSIM_TEST_WITH(Escalation, Buggy, {.runs = 1000, .faults = kWorkerFaults}) { co_await stays_up(t, false); }
OTPSIM_TEST_WITH(Escalation, Fixed, {.runs = 10'000, .faults = kWorkerFaults}) { co_await stays_up(t, true); }

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "debug-replay") {  // what a debugger session would run
    otp::testing::RunOutcome o = otp::testing::replay(argv[2]);
    std::printf("%s: trace hash %016llx\n%s", otp::testing::to_string(o.verdict), static_cast<unsigned long long>(o.trace_hash),
                o.describe().c_str());
    return o.passed() ? 0 : 1;
  }
  if (argc > 1 && otp::testing::is_cli_command(argv[1]))
    return otp::testing::cli_main(argc, argv, {.program = argv[0], .suites_by_default = false});
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
