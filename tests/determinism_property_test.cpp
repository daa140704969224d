// Property (S91, S5): for any supervision tree, fault plan and seed, the same inputs give the
// same trace hash twice, and replaying the recorded decision list reproduces it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <otpsim/properties/lab.hpp>

using namespace otp;
using otp::sim::World;

namespace {

struct Plan {
  Strategy strategy;
  int64_t max_restarts;
  std::vector<Restart> kids;
  std::vector<std::pair<int, int64_t>> crashes;  // (child index, at ms)
};

uint64_t run_plan(const Plan& p, const otp::sim::SimOptions& opts, std::vector<uint32_t>* decisions) {
  World w(opts);
  lab::Lab l;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> specs;
    for (size_t i = 0; i < p.kids.size(); ++i) specs.push_back(lab::spec(l, "c" + std::to_string(i), {.restart = p.kids[i]}));
    Pid sup = (co_await supervisor::start_link(self, {.strategy = p.strategy, .max_restarts = p.max_restarts}, specs)).pid;
    for (const auto& [idx, at] : p.crashes) {
      if (at > self.now_ms()) co_await self.sleep(at - self.now_ms());
      if (!self.node().alive(sup)) break;
      Pid c = co_await lab::child_pid(self, sup, "c" + std::to_string(idx));
      if (c) self.exit(c, atom("kill"));
    }
    co_await self.receive([](const Message&) { return false; });
  });
  w.run({.max_steps = 1'000'000});
  if (decisions) *decisions = w.executor().chooser().choices();
  return w.trace_hash();
}

}  // namespace

RC_GTEST_PROP(DeterminismProperty, SameInputsSameTraceAndReplayMatches, ()) {  // S91
  Plan p;
  p.strategy = *rc::gen::element(Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one);
  p.max_restarts = *rc::gen::inRange<int64_t>(0, 5);
  p.kids = *rc::gen::resize(5, rc::gen::nonEmpty(rc::gen::container<std::vector<Restart>>(
      rc::gen::element(Restart::permanent, Restart::transient, Restart::temporary))));
  int n = static_cast<int>(p.kids.size());
  p.crashes = *rc::gen::resize(6, rc::gen::container<std::vector<std::pair<int, int64_t>>>(
      rc::gen::pair(rc::gen::inRange(0, n), rc::gen::inRange<int64_t>(0, 3000))));
  std::sort(p.crashes.begin(), p.crashes.end(), [](auto& a, auto& b) { return a.second < b.second; });
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  std::vector<uint32_t> decisions;
  uint64_t a = run_plan(p, {.seed = seed, .trace = true}, &decisions);
  uint64_t b = run_plan(p, {.seed = seed, .trace = true}, nullptr);
  RC_ASSERT(a == b);
  uint64_t c = run_plan(p, {.seed = 0, .script = decisions, .trace = true}, nullptr);
  RC_ASSERT(a == c);
}
