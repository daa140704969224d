// Section 10, "Testing supervised processes": ExUnit's start_supervised! is the
// otp::testing::SupervisedTest fixture. Each test gets a fresh simulated world and a test
// supervisor; what a test starts is stopped when it ends; a leftover process, timer or
// unacknowledged crash report fails the test. Tests: a crashed Counter restarts with fresh
// state; killing one child of a supervisor restarts exactly the siblings its strategy says.
#include <otpsim/sim/testing/supervised_test.hpp>

#include "guide.hpp"

using namespace otp;
using otp::testing::SupervisedTest;

namespace {

ChildSpec counter(const char* id) {
  return worker_spec(atom(id), [] { return std::make_unique<guide::Counter>(); }, {.name = {.local = id}});
}

}  // namespace

class CounterTest : public SupervisedTest {};

TEST_F(CounterTest, RestartsWithFreshStateAfterACrash) {
  run([&](Process& self) -> Task<void> {
    Pid before = co_await start_supervised(self, counter("counter"));  // start_supervised!({Counter, 0})
    co_await guide::counter_call(self, "counter", "increment");
    EXPECT_EQ(co_await guide::counter_call(self, "counter", "increment"), 2);
    gen_server::cast(self, "counter", atom("crash"));
    co_await self.sleep(1);
    EXPECT_NE(self.whereis("counter"), before);
    EXPECT_EQ(co_await guide::counter_call(self, "counter", "get"), 0);
  });
  EXPECT_EQ(consume_crash_reports(), 1u);  // the crash was on purpose
}

// For each strategy: kill b of [a, b, c]; which of a, b, c have a new pid?
struct Case {
  Strategy strategy;
  bool a_restarts, c_restarts;  // b, the one killed, always restarts
};

class StrategyTest : public SupervisedTest, public ::testing::WithParamInterface<Case> {};

TEST_P(StrategyTest, KillingBRestartsWhatTheStrategySays) {  // S25, S26, S27
  Case expected = GetParam();
  run([&](Process& self) -> Task<void> {
    co_await start_supervised(self, supervisor::supervisor_spec(atom("sup"), {.strategy = expected.strategy},
                                                                {counter("a"), counter("b"), counter("c")}));
    Pid a = self.whereis("a"), b = self.whereis("b"), c = self.whereis("c");
    self.exit(b, reasons::kill());
    co_await self.sleep(1);
    EXPECT_EQ(self.whereis("a") != a, expected.a_restarts) << "a";
    EXPECT_NE(self.whereis("b"), b) << "b";
    EXPECT_EQ(self.whereis("c") != c, expected.c_restarts) << "c";
    EXPECT_TRUE(self.whereis("a") && self.whereis("b") && self.whereis("c"));
  });
  EXPECT_EQ(consume_crash_reports(), 1u);  // b's; siblings stopped by the strategy are not crashes
}

INSTANTIATE_TEST_SUITE_P(Strategies, StrategyTest,
                         ::testing::Values(Case{Strategy::one_for_one, false, false},
                                           Case{Strategy::one_for_all, true, true},
                                           Case{Strategy::rest_for_one, false, true}),
                         [](const ::testing::TestParamInfo<Case>& info) { return to_string(info.param.strategy); });

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  GTEST_FLAG_SET(print_time, false);  // the output is compared with the guide's, byte for byte
  return RUN_ALL_TESTS();
}
