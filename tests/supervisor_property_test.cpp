// Property suites against the reference model (properties/supervisor_model):
// restart-strategy ordering (S23, S25-S27), intensity escalation (S28), restart types (S24),
// under random trees, exit plans and scheduling seeds.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/supervisor_model.hpp"
#include "tests/sup_lab.hpp"

using namespace otp;
using otp::sim::World;

namespace {

struct Case {
  SupFlags flags;
  std::vector<model::ModelChild> kids;
  std::vector<model::Exit> exits;
  uint64_t seed;
};

Term reason_for(int k) {
  switch (k) {
    case 0: return atom("normal");
    case 1: return atom("shutdown");
    case 2: return tuple(atom("shutdown"), atom("bye"));
    default: return atom("boom");
  }
}

Case gen_case() {
  Case c;
  c.flags.strategy = *rc::gen::element(Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one);
  c.flags.max_restarts = *rc::gen::inRange<int64_t>(0, 4);
  c.flags.max_seconds = *rc::gen::inRange<int64_t>(1, 4);
  int n = *rc::gen::inRange(1, 5);
  for (int i = 0; i < n; ++i)
    c.kids.push_back({"c" + std::to_string(i),
                      *rc::gen::element(Restart::permanent, Restart::transient, Restart::temporary)});
  int m = *rc::gen::inRange(0, 7);
  int64_t t = 0;
  for (int i = 0; i < m; ++i) {
    t += *rc::gen::inRange<int64_t>(2, 1500);  // >= 2 ms apart: each exit settles first
    c.exits.push_back({static_cast<size_t>(*rc::gen::inRange(0, n)), reason_for(*rc::gen::inRange(0, 4)), t});
  }
  c.seed = *rc::gen::arbitrary<uint64_t>();
  return c;
}

// Runs the case on the simulator; returns the lab's event log and whether the sup escalated.
std::pair<std::vector<std::string>, bool> simulate(const Case& c) {
  World w({.seed = c.seed});
  lab::Lab l;
  Pid sup{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> specs;
    for (const auto& k : c.kids) specs.push_back(lab::spec(l, k.id, {.restart = k.restart}));
    sup = (co_await supervisor::start_link(self, c.flags, specs)).pid;
    l.events.clear();
    for (const auto& e : c.exits) {
      if (e.at_ms > self.now_ms()) co_await self.sleep(e.at_ms - self.now_ms());
      if (!self.node().alive(sup)) break;
      Pid p = co_await lab::child_pid(self, sup, c.kids[e.child].id);
      if (!p) continue;
      gen_server::cast(self, p, tuple(atom("crash"), e.reason));
      co_await self.sleep(1);
    }
    co_await self.receive([](const Message&) { return false; });
  });
  w.run({.max_steps = 2'000'000});
  return {l.events, !w.alive(sup)};
}

std::string describe(const Case& c) {
  std::string s = std::string(to_string(c.flags.strategy)) + " max_restarts=" + std::to_string(c.flags.max_restarts) +
                  " max_seconds=" + std::to_string(c.flags.max_seconds) + " kids=";
  for (const auto& k : c.kids) s += k.id + "/" + to_string(k.restart) + " ";
  s += "exits=";
  for (const auto& e : c.exits) s += c.kids[e.child].id + ":" + e.reason.to_string() + "@" + std::to_string(e.at_ms) + " ";
  return s + "seed=" + std::to_string(c.seed);
}

}  // namespace

RC_GTEST_PROP(SupervisorModel, TraceMatchesTheReferenceModel, ()) {  // S23-S28
  Case c = gen_case();
  model::Prediction want = model::predict(c.flags, c.kids, c.exits);
  auto [got, escalated] = simulate(c);
  RC_LOG() << describe(c) << "\n";
  RC_ASSERT(got == want.events);
  RC_ASSERT(escalated == want.escalated);
}
