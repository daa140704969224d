// The README's quick start: a supervised GenServer on the simulator. Crash it; its supervisor
// restarts it with fresh state (S25), and the run is the same on every machine for one seed.
#include <cstdio>

#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/world.hpp>

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

int main() {
  sim::World world({.seed = 42});
  world.spawn([](Process& self) -> Proc {
    ChildSpec counter = worker_spec(atom("counter"), [] { return std::make_unique<Counter>(); },
                                    {.name = {.local = "counter"}});
    auto sup = co_await supervisor::start_link(self, {.strategy = Strategy::one_for_one}, {counter});
    co_await gen_server::call(self, "counter", atom("increment"));
    Pid before = self.whereis("counter");
    try {
      co_await gen_server::call(self, "counter", atom("boom"));  // the server crashes mid-call
    } catch (const Exit& e) {
      std::printf("call failed: %s\n", e.what());
    }
    co_await self.sleep(1);
    Message n = co_await gen_server::call(self, "counter", atom("get"));
    std::printf("restarted: %s -> %s, count %s\n", Term(before).to_string().c_str(),
                Term(self.whereis("counter")).to_string().c_str(), n.get<Term>()->to_string().c_str());
    std::printf("children: %s\n", (co_await supervisor::which_children(self, sup.pid)).to_string().c_str());
  });
  world.run();
}
