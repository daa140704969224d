#pragma once
// Small programs whose number of distinct traces is known, for exploration tests and
// benchmarks: k independent pairs (one trace) and n senders to one receiver (n! traces).
#include <set>
#include <string>

#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {

// k pairs: A_i sends one message to B_i, which receives it. Nothing is shared: one trace.
inline sim::RunSchedule independent_pairs(int k) {
  return [k](sim::DecisionHook* h, uint64_t seed) {
    sim::World w({.seed = seed, .hook = h});
    w.spawn([k](Process& root) -> Proc {
      for (int i = 0; i < k; ++i) {
        Pid b = root.spawn([](Process& self) -> Proc { co_await self.receive_any(); });
        root.spawn([b](Process& self) -> Proc {
          self.send(b, atom("hi"));
          co_return;
        });
      }
      co_return;
    });
    w.run();
    return sim::ScheduleRun{{}, w.executor().chooser().choices()};
  };
}

// n senders, one receiver that receives all n: the n! arrival orders are the traces. Each
// run's arrival order goes into `orders` when given.
inline sim::RunSchedule senders_to_one(int n, std::set<std::string>* orders = nullptr) {
  return [n, orders](sim::DecisionHook* h, uint64_t seed) {
    sim::World w({.seed = seed, .hook = h});
    std::string order;
    w.spawn([n, &order](Process& root) -> Proc {
      Pid r = root.spawn([n, &order](Process& self) -> Proc {
        for (int i = 0; i < n; ++i) order += (co_await self.receive_any())->get<Term>()->to_string();
      });
      for (int i = 0; i < n; ++i)
        root.spawn([r, i](Process& self) -> Proc {
          self.send(r, integer(i));
          co_return;
        });
      co_return;
    });
    w.run();
    if (orders) orders->insert(order);
    return sim::ScheduleRun{{}, w.executor().chooser().choices()};
  };
}

}  // namespace otp::properties
