// The README's simulation test: the quick start's Counter, crashed 1,000 times under 1,000
// schedules; each time its supervisor restarts it with fresh state (S25).
#include <otpsim/testing/gtest.hpp>

using namespace otp;

class Counter : public GenServer {
  int64_t n_ = 0;
  Task<Result> handle_call(Process&, Message req, From) override {
    const Term& t = *req.get<Term>();
    if (t.is_atom("increment")) co_return Result::reply(integer(++n_));
    if (t.is_atom("get")) co_return Result::reply(integer(n_));
    throw std::runtime_error("bad request");  // a crash: exit reason {error,"bad request"}
  }
};

ChildSpec counter_spec() {
  return worker_spec(atom("counter"), [] { return std::make_unique<Counter>(); }, {.name = {.local = "counter"}});
}

OTPSIM_TEST_WITH(Counter, RestartGivesFreshState, {.runs = 1000}) {  // S25
  Process& self = t.self();
  Pid before = co_await t.start_supervised(counter_spec());  // ExUnit's start_supervised!
  co_await gen_server::call(self, "counter", atom("increment"));
  try { co_await gen_server::call(self, "counter", atom("boom")); } catch (const Exit&) {}  // crash it
  co_await self.sleep(1);  // a virtual ms: everything the crash caused has happened
  EXPECT_NE(self.whereis("counter"), before);
  EXPECT_EQ(*(co_await gen_server::call(self, "counter", atom("get"))).get<Term>(), integer(0));
}
