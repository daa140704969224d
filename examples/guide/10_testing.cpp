// Section 10, "Testing supervised processes": ExUnit's start_supervised! in a simulation
// test. Each OTPSIM_TEST runs its body many times, each run under another schedule of the
// same program; t.start_supervised starts a child under the test's own supervisor, which is
// stopped when the body ends. Tests: a crashed Counter restarts with fresh state; killing one
// child of a supervisor restarts exactly the siblings its strategy says.
#include <otpsim/testing/cli.hpp>
#include <otpsim/testing/gtest.hpp>

#include "guide.hpp"

using namespace otp;

namespace {

ChildSpec counter(const char* id) {
  return worker_spec(atom(id), [] { return std::make_unique<guide::Counter>(); }, {.name = {.local = id}});
}

// Kill b of [a, b, c] under `strategy`; which of a, b, c have a new pid?
Task<void> kill_b(SimTest& t, Strategy strategy, bool a_restarts, bool c_restarts) {
  Process& self = t.self();
  co_await t.start_supervised(supervisor::supervisor_spec(atom("sup"), {.strategy = strategy},
                                                          {counter("a"), counter("b"), counter("c")}));
  Pid a = self.whereis("a"), b = self.whereis("b"), c = self.whereis("c");
  self.exit(b, reasons::kill());
  co_await self.sleep(1);
  EXPECT_EQ(self.whereis("a") != a, a_restarts) << "a";
  EXPECT_NE(self.whereis("b"), b) << "b";
  EXPECT_EQ(self.whereis("c") != c, c_restarts) << "c";
  EXPECT_TRUE(self.whereis("a") && self.whereis("b") && self.whereis("c"));
}

}  // namespace

OTPSIM_TEST_WITH(Counter, RestartsWithFreshStateAfterACrash, {.runs = 200}) {
  Process& self = t.self();
  Pid before = co_await t.start_supervised(counter("counter"));  // start_supervised!({Counter, 0})
  co_await guide::counter_call(self, "counter", "increment");
  EXPECT_EQ(co_await guide::counter_call(self, "counter", "increment"), 2);
  gen_server::cast(self, "counter", atom("crash"));
  co_await self.sleep(1);
  EXPECT_NE(self.whereis("counter"), before);
  EXPECT_EQ(co_await guide::counter_call(self, "counter", "get"), 0);
}

// S25, S26, S27: the siblings each strategy restarts.
OTPSIM_TEST_WITH(Strategies, OneForOne, {.runs = 200}) { co_await kill_b(t, Strategy::one_for_one, false, false); }
OTPSIM_TEST_WITH(Strategies, OneForAll, {.runs = 200}) { co_await kill_b(t, Strategy::one_for_all, true, true); }
OTPSIM_TEST_WITH(Strategies, RestForOne, {.runs = 200}) { co_await kill_b(t, Strategy::rest_for_one, false, true); }

// `./10_testing` runs GoogleTest; `./10_testing check|explore|replay|list ...` the same tests
// from the command line (otpsim::testing_main is this main, ready-made).
int main(int argc, char** argv) {
  if (argc > 1 && otp::testing::is_cli_command(argv[1]))
    return otp::testing::cli_main(argc, argv, {.program = argv[0], .suites_by_default = false});
  ::testing::InitGoogleTest(&argc, argv);
  GTEST_FLAG_SET(print_time, false);  // the output is compared with the guide's, byte for byte
  return RUN_ALL_TESTS();
}
