#include <otpsim/properties/supervisor_suite.hpp>

#include <otpsim/properties/lab.hpp>
#include <otpsim/sim/chooser.hpp>

namespace otp::properties {

Term exit_reason_kind(int k) {
  switch (k) {
    case 0: return atom("normal");
    case 1: return atom("shutdown");
    case 2: return tuple(atom("shutdown"), atom("bye"));
    default: return atom("boom");
  }
}

SupCase random_case(sim::Draws& r, bool with_api) {
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
    model::Exit e{r.below(static_cast<uint32_t>(n)), exit_reason_kind(static_cast<int>(r.below(4))), t};
    if (with_api) e.op = static_cast<model::OpKind>(r.below(4));
    c.exits.push_back(e);
  }
  c.seed = r.seed();
  return c;
}

namespace {

struct Simulated {
  std::vector<std::string> events;
  bool escalated = false;
  std::vector<std::string> final;
};

Simulated simulate(const SupCase& c) {
  sim::World w({.seed = c.seed});
  lab::Lab l;
  Pid sup{};
  std::vector<std::string> final;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> specs;
    for (const auto& k : c.kids) specs.push_back(lab::spec(l, k.id, {.restart = k.restart}));
    sup = (co_await supervisor::start_link(self, c.flags, specs)).pid;
    l.events.clear();
    for (const auto& e : c.exits) {
      if (e.at_ms > self.now_ms()) co_await self.sleep(e.at_ms - self.now_ms());
      if (!self.node().alive(sup)) break;
      const std::string& id = c.kids[e.child].id;
      if (e.op != model::OpKind::exit) {  // S31, from a client process
        Term r = e.op == model::OpKind::terminate_child ? co_await supervisor::terminate_child(self, sup, atom(id))
                 : e.op == model::OpKind::restart_child ? co_await supervisor::restart_child(self, sup, atom(id))
                                                        : co_await supervisor::delete_child(self, sup, atom(id));
        // {ok,<0.7.0>} prints as {ok,Pid}: pids differ between the model and a run.
        std::string rs = r.is_tuple(2) && r[1].is_pid() ? "{ok,Pid}" : r.to_string();
        const char* name = e.op == model::OpKind::terminate_child ? "terminate:" : e.op == model::OpKind::restart_child ? "restart:" : "delete:";
        l.events.push_back(name + id + "->" + rs);
        co_await self.sleep(1);
        continue;
      }
      Pid p = co_await lab::child_pid(self, sup, id);
      if (!p) continue;
      gen_server::cast(self, p, tuple(atom("crash"), e.reason));
      co_await self.sleep(1);  // each exit settles before the next
    }
    if (self.node().alive(sup)) {
      Term kids = co_await supervisor::which_children(self, sup);  // newest first
      for (const auto& k : kids.items())
        final.insert(final.begin(), k[0].to_string() + (k[1].is_pid() ? ":running" : ":undefined"));
    }
    co_await self.receive([](const Message&) { return false; });
  });
  w.run({.max_steps = 2'000'000});
  return {l.events, !w.alive(sup), final};
}

}  // namespace

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : " ") + e;
  return s;
}

std::optional<std::string> check_case(const SupCase& c) {
  model::Prediction want = model::predict(c.flags, c.kids, c.exits);
  Simulated got = simulate(c);
  if (want.escalated) want.final.clear();  // nothing left to ask
  if (got.events == want.events && got.escalated == want.escalated && got.final == want.final) return std::nullopt;
  return "model:     " + join(want.events) + (want.escalated ? " [escalated]" : "") + " final: " + join(want.final) +
         "\nsimulated: " + join(got.events) + (got.escalated ? " [escalated]" : "") + " final: " + join(got.final);
}

std::string describe(const SupCase& c) {
  std::string s = std::string(to_string(c.flags.strategy)) + " max_restarts=" + std::to_string(c.flags.max_restarts) +
                  " max_seconds=" + std::to_string(c.flags.max_seconds) + " kids=";
  for (const auto& k : c.kids) s += k.id + "/" + to_string(k.restart) + " ";
  s += "exits=";
  static const char* const ops[] = {"", "terminate_child ", "restart_child ", "delete_child "};
  for (const auto& e : c.exits)
    s += ops[static_cast<int>(e.op)] + c.kids[e.child].id + (e.op == model::OpKind::exit ? ":" + e.reason.to_string() : "") + "@" +
         std::to_string(e.at_ms) + " ";
  return s + "sched-seed=" + std::to_string(c.seed);
}

}  // namespace otp::properties
