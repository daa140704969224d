// Section 1, "Your first supervisor": the guide's Counter under a one_for_one supervisor.
// It counts to 3, crashes, and the supervisor starts a fresh one (S25): the same name, a new
// pid, and the count back at its initial value: state is not carried over a restart.
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

int main() {
  return guide::run([](Process& self) -> Task<void> {
    // children = [{Counter, 0}]
    ChildSpec counter = worker_spec(atom("counter"), [] { return std::make_unique<guide::Counter>(0); },
                                    {.name = {.local = "counter"}});
    // Supervisor.start_link(children, strategy: :one_for_one)
    StartResult sup = co_await supervisor::start_link(self, {.strategy = Strategy::one_for_one}, {counter});
    say(self, "Supervisor.start_link -> " + show(sup.to_term()));

    for (int i = 0; i < 3; ++i) co_await guide::counter_call(self, "counter", "increment");
    Pid before = self.whereis("counter");
    say(self, "counter " + show(before) + " get -> " +
                  std::to_string(co_await guide::counter_call(self, "counter", "get")));

    // Let it crash: the cast makes the Counter raise. We watch it die with a monitor.
    Ref watch = self.monitor(before);
    gen_server::cast(self, "counter", atom("crash"));
    auto down = co_await self.receive(down_of(watch));
    say(self, "counter " + show(before) + " exited: " + show(down->get<DownMsg>()->reason));

    // The supervisor has restarted it by the time the world is quiet again (1 virtual ms on).
    co_await self.sleep(1);
    Pid after = self.whereis("counter");
    say(self, "counter " + show(after) + " get -> " +
                  std::to_string(co_await guide::counter_call(self, "counter", "get")));
    say(self, "which_children -> " + show(co_await supervisor::which_children(self, sup.pid)));
  });
}
