#include "properties/supervisor_suite.hpp"

#include "properties/lab.hpp"
#include "sim/chooser.hpp"

namespace otp::properties {

Term exit_reason_kind(int k) {
  switch (k) {
    case 0: return atom("normal");
    case 1: return atom("shutdown");
    case 2: return tuple(atom("shutdown"), atom("bye"));
    default: return atom("boom");
  }
}

SupCase random_case(uint64_t seed) {
  sim::Prng r(seed);
  SupCase c;
  static constexpr Strategy strategies[] = {Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one};
  static constexpr Restart restarts[] = {Restart::permanent, Restart::transient, Restart::temporary};
  c.flags.strategy = strategies[r.below(3)];
  c.flags.max_restarts = static_cast<int64_t>(r.below(4));
  c.flags.max_seconds = 1 + static_cast<int64_t>(r.below(3));
  size_t n = 1 + r.below(4);
  for (size_t i = 0; i < n; ++i) c.kids.push_back({"c" + std::to_string(i), restarts[r.below(3)]});
  size_t m = r.below(7);
  int64_t t = 0;
  for (size_t i = 0; i < m; ++i) {
    t += 2 + static_cast<int64_t>(r.below(1500));
    c.exits.push_back({r.below(n), exit_reason_kind(static_cast<int>(r.below(4))), t});
  }
  c.seed = r.next();
  return c;
}

namespace {

std::pair<std::vector<std::string>, bool> simulate(const SupCase& c) {
  sim::World w({.seed = c.seed});
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
      co_await self.sleep(1);  // each exit settles before the next
    }
    co_await self.receive([](const Message&) { return false; });
  });
  w.run({.max_steps = 2'000'000});
  return {l.events, !w.alive(sup)};
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : " ") + e;
  return s;
}

}  // namespace

std::optional<std::string> check_case(const SupCase& c) {
  model::Prediction want = model::predict(c.flags, c.kids, c.exits);
  auto [got, escalated] = simulate(c);
  if (got == want.events && escalated == want.escalated) return std::nullopt;
  return "model:     " + join(want.events) + (want.escalated ? " [escalated]" : "") +
         "\nsimulated: " + join(got) + (escalated ? " [escalated]" : "");
}

std::string describe(const SupCase& c) {
  std::string s = std::string(to_string(c.flags.strategy)) + " max_restarts=" + std::to_string(c.flags.max_restarts) +
                  " max_seconds=" + std::to_string(c.flags.max_seconds) + " kids=";
  for (const auto& k : c.kids) s += k.id + "/" + to_string(k.restart) + " ";
  s += "exits=";
  for (const auto& e : c.exits) s += c.kids[e.child].id + ":" + e.reason.to_string() + "@" + std::to_string(e.at_ms) + " ";
  return s + "sched-seed=" + std::to_string(c.seed);
}

}  // namespace otp::properties
