#include <otpsim/properties/intensity_suite.hpp>

#include <otpsim/properties/lab.hpp>

namespace otp::properties {

NestedCase random_nested_case(sim::Draws& d) {
  NestedCase c;
  c.top_max_restarts = d.below(3);
  c.top_max_seconds = 1 + d.below(5);
  c.inner = random_case(d);
  c.inner.flags.max_restarts = d.below(3);  // low limits: escalations are the point here
  return c;
}

// The top supervisor as a second application of the same model: each escalation of the
// inner one is a restart decision of the top one (S30: the inner exits with shutdown,
// which a permanent child is restarted after).
model::Prediction predict_nested(const NestedCase& c) {
  model::Prediction all;
  std::vector<model::Exit> rest = c.inner.exits;
  model::ModelChild inner{"inner", Restart::permanent};
  std::vector<model::Exit> top_exits;
  SupFlags top{Strategy::one_for_one, c.top_max_restarts, c.top_max_seconds, AutoShutdown::never};
  while (true) {
    model::Prediction p = model::predict(c.inner.flags, c.inner.kids, rest);
    all.events.insert(all.events.end(), p.events.begin(), p.events.end());
    if (!p.escalated) break;
    const model::Exit& last = rest[p.consumed - 1];
    top_exits.push_back({0, atom("shutdown"), last.at_ms});
    if (model::predict(top, {inner}, top_exits).escalated) {
      all.escalated = true;
      break;
    }
    all.events.push_back("start:inner");
    for (const auto& k : c.inner.kids) all.events.push_back("start:" + k.id);
    rest.erase(rest.begin(), rest.begin() + static_cast<long>(p.consumed));
  }
  return all;
}

std::optional<std::string> check_nested_case(const NestedCase& c) {
  sim::World w({.seed = c.inner.seed});
  lab::Lab l;
  Pid top{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> specs;
    for (const auto& k : c.inner.kids) specs.push_back(lab::spec(l, k.id, {.restart = k.restart}));
    ChildSpec inner = supervisor::supervisor_spec(atom("inner"), c.inner.flags, specs);
    inner.start = [&l, start = inner.start](Process& sup) -> Task<StartResult> {
      l.events.push_back("start:inner");
      co_return co_await start(sup);
    };
    SupFlags flags{Strategy::one_for_one, c.top_max_restarts, c.top_max_seconds, AutoShutdown::never};
    top = (co_await supervisor::start_link(self, flags, {inner})).pid;
    l.events.clear();
    for (const auto& e : c.inner.exits) {
      if (e.at_ms > self.now_ms()) co_await self.sleep(e.at_ms - self.now_ms());
      if (!self.node().alive(top)) break;
      Pid sup = co_await lab::child_pid(self, top, "inner");
      if (!sup) continue;
      Pid p = co_await lab::child_pid(self, sup, c.inner.kids[e.child].id);
      if (!p) continue;
      gen_server::cast(self, p, tuple(atom("crash"), e.reason));
      co_await self.sleep(1);
    }
    co_await self.receive([](const Message&) { return false; });
  });
  w.run({.max_steps = 2'000'000});
  model::Prediction want = predict_nested(c);
  bool escalated = !w.alive(top);
  if (l.events == want.events && escalated == want.escalated) return std::nullopt;
  return "model:     " + join(want.events) + (want.escalated ? " [top escalated]" : "") +
         "\nsimulated: " + join(l.events) + (escalated ? " [top escalated]" : "");
}

std::string describe(const NestedCase& c) {
  return "top: one_for_one max_restarts=" + std::to_string(c.top_max_restarts) + " max_seconds=" +
         std::to_string(c.top_max_seconds) + "; inner: " + describe(c.inner);
}

}  // namespace otp::properties
