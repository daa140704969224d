#pragma once
// Small programs whose number of distinct traces is known, for exploration tests and
// benchmarks: k independent pairs (one trace) and n senders to one receiver (n! traces); and
// a supervision program also written in Erlang for Concuerror (docs/testing.md).
#include <set>
#include <string>

#include <otpsim/core/behaviours/supervisor.hpp>

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

// Concuerror's comparison program (docs/testing.md; its Erlang twin is
// tools/concuerror/one_for_all_killed_twice.erl): a one_for_all supervisor over three
// proc_lib-style workers (started with an acknowledgement, brutal_kill, intensity 3 in 5 s); two
// processes each send one child an exit signal `crash` and report {done, Id}; the root receives
// {done, a}, then {done, c}, checks that the supervisor lives, asks which_children, unlinks it
// and stops it. A failure: the supervisor died.
inline sim::RunSchedule one_for_all_killed_twice() {
  return [](sim::DecisionHook* h, uint64_t seed) {
    sim::World w({.seed = seed, .hook = h});
    std::vector<std::string> failures;
    w.spawn([&failures](Process& root) -> Proc {
      std::vector<ChildSpec> children;
      for (const char* id : {"a", "b", "c"}) {
        ChildSpec c;
        c.id = atom(id);
        c.shutdown = Shutdown::brutal_kill();
        c.start = [](Process& sup) -> Task<StartResult> {
          Pid parent = sup.self();
          Pid p = sup.spawn_link([parent](Process& me) -> Proc {
            me.send(parent, tuple(atom("ack"), me.self()));
            for (;;) co_await me.receive_any();
          });
          co_await sup.receive([p](const Message& m) { return m.to_term() == tuple(atom("ack"), p); });
          co_return StartResult::ok(p);
        };
        children.push_back(std::move(c));
      }
      Pid sup = (co_await supervisor::start_link(root, {.strategy = Strategy::one_for_all, .max_restarts = 3, .max_seconds = 5},
                                                 std::move(children)))
                    .pid;
      Term which = co_await supervisor::which_children(root, sup);
      Pid me = root.self();
      for (const Term& child : which.items()) {
        if (child[0].is_atom("b")) continue;
        Pid target = child[1].pid();
        Term done = tuple(atom("done"), child[0]);
        root.spawn([target, me, done](Process& killer) -> Proc {
          killer.exit(target, atom("crash"));
          killer.send(me, done);
          co_return;
        });
      }
      for (const char* id : {"a", "c"}) {
        Term done = tuple(atom("done"), atom(id));
        co_await root.receive([done](const Message& m) { return m.to_term() == done; });
      }
      if (!root.node().alive(sup)) failures.push_back("the supervisor died");
      co_await supervisor::which_children(root, sup);
      root.unlink(sup);
      root.exit(sup, atom("shutdown"));
    });
    w.run();
    return sim::ScheduleRun{failures, w.executor().chooser().choices()};
  };
}

}  // namespace otp::properties
