// kernel-signals (S1-S4): processes that link, monitor, trap exits, exit themselves and send
// exit signals to each other at random. After each operation settles, the EXIT and DOWN
// messages each process received, and who died with what reason, must equal the model's.
#include <algorithm>
#include <map>
#include <set>

#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/properties/kernel_signals_model.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {
namespace kernel_signals {
namespace {

const char* op_name(Op o) {
  static constexpr const char* names[] = {"link", "monitor", "trap_on", "trap_off", "exit_self", "send_exit"};
  return names[static_cast<int>(o)];
}

Term reason_of(uint32_t k) {
  switch (k) {
    case 0: return atom("normal");
    case 1: return atom("shutdown");
    case 2: return tuple(atom("shutdown"), atom("bye"));
    case 3: return atom("kill");
    default: return atom("boom");
  }
}

}  // namespace

Case draw(sim::Draws& d) {
  Case c;
  c.n = 2 + static_cast<int>(d.below(4));
  size_t m = 1 + d.below(12);
  for (size_t i = 0; i < m; ++i) {
    Step s{static_cast<Op>(d.below(6)), static_cast<int>(d.below(c.n)), 0, reason_of(d.below(5))};
    s.b = static_cast<int>(d.below(c.n - 1));
    if (s.b >= s.a) ++s.b;  // another actor: links and monitors to oneself are no-ops in OTP
    if (s.op == Op::send_exit && d.chance(6)) s.b = s.a;  // exit/2 to oneself: S2's exception
    c.steps.push_back(std::move(s));
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const Case& c) {
  std::string s = std::to_string(c.n) + " actors, seed " + std::to_string(c.seed) + ":";
  for (const auto& st : c.steps)
    s += " " + std::to_string(st.a) + "." + op_name(st.op) + "(" + std::to_string(st.b) +
         (st.op == Op::exit_self || st.op == Op::send_exit ? "," + st.reason.to_string() : "") + ")";
  return s;
}

namespace {

// The reference model: S1-S4 applied one operation at a time, cascades included.
struct Model {
  int n;
  std::vector<bool> alive, trap;
  std::vector<std::string> reason;
  std::set<std::pair<int, int>> links;           // (min, max)
  std::multiset<std::pair<int, int>> monitors;   // (watcher, target)
  std::vector<std::string> events;

  explicit Model(int n_) : n(n_), alive(n_, true), trap(n_, false), reason(n_, "alive") {}

  void die(int x, const Term& r) {
    if (!alive[x]) return;
    alive[x] = false;
    reason[x] = r.to_string();
    for (auto it = monitors.begin(); it != monitors.end();) {
      auto [w, t] = *it;
      if (t == x && alive[w]) events.push_back(std::to_string(w) + " DOWN " + std::to_string(x) + " " + r.to_string());
      it = (t == x || w == x) ? monitors.erase(it) : std::next(it);
    }
    std::vector<int> linked;
    for (auto it = links.begin(); it != links.end();) {
      if (it->first == x || it->second == x) {
        linked.push_back(it->first == x ? it->second : it->first);
        it = links.erase(it);
      } else {
        ++it;
      }
    }
    for (int y : linked) exit_signal(y, x, r);  // S3: the same reason (killed stays killed)
  }

  // S2: an exit signal R from `from` arriving at y (not the untrappable kill of exit/2).
  void exit_signal(int y, int from, const Term& r) {
    if (!alive[y]) return;
    if (trap[y]) {
      events.push_back(std::to_string(y) + " EXIT " + std::to_string(from) + " " + r.to_string());
    } else if (!r.is_atom("normal")) {
      die(y, r);
    }
  }

  void apply(const Step& s) {
    if (!alive[s.a]) return;  // a dead actor does nothing
    switch (s.op) {
      case Op::link:
        if (alive[s.b]) links.insert({std::min(s.a, s.b), std::max(s.a, s.b)});
        else exit_signal(s.a, s.b, atom("noproc"));  // S3: linking to a dead pid
        break;
      case Op::monitor:
        if (alive[s.b]) monitors.insert({s.a, s.b});
        else events.push_back(std::to_string(s.a) + " DOWN " + std::to_string(s.b) + " noproc");  // S4
        break;
      case Op::trap_on: trap[s.a] = true; break;
      case Op::trap_off: trap[s.a] = false; break;
      case Op::exit_self: die(s.a, s.reason); break;  // exiting itself with kill: links get kill (S3)
      case Op::send_exit:
        if (!alive[s.b]) break;
        if (s.reason.is_atom("kill")) die(s.b, atom("killed"));  // S2: untrappable
        else if (s.a == s.b && s.reason.is_atom("normal") && !trap[s.b]) die(s.b, s.reason);  // to itself
        else exit_signal(s.b, s.a, s.reason);
        break;
    }
  }
};

}  // namespace

Term Cmd::to_term() const { return tuple(atom("cmd"), atom(op_name(step.op)), integer(step.b), step.reason); }

Proc actor(Process& me, int i, const std::vector<Pid>& pids, SignalLog& log) {
  auto index_of = [&pids](Pid p) {
    for (size_t k = 0; k < pids.size(); ++k)
      if (pids[k] == p) return std::to_string(k);
    return std::string("?");
  };
  for (;;) {
    Message m = *co_await me.receive_any();
    if (const auto* e = m.get<ExitMsg>()) {
      log.add(std::to_string(i) + " EXIT " + index_of(e->from) + " " + e->reason.to_string());
    } else if (const auto* dn = m.get<DownMsg>()) {
      // S4: whoever gets a DOWN finds the process no longer alive (as is_process_alive does on
      // the BEAM); on rt the receiver may run while the process's own thread is still ending it.
      log.add(std::to_string(i) + " DOWN " + index_of(dn->pid) + " " + dn->reason.to_string() +
              (me.node().alive(dn->pid) ? " from a process still alive" : ""));
    } else if (const auto* cmd = m.get<Cmd>()) {
      const Step& s = cmd->step;
      switch (s.op) {
        case Op::link: me.link(pids[s.b]); break;
        case Op::monitor: me.monitor(pids[s.b]); break;
        case Op::trap_on: me.trap_exit(true); break;
        case Op::trap_off: me.trap_exit(false); break;
        case Op::exit_self: throw Exit(s.reason);
        case Op::send_exit: me.exit(pids[s.b], s.reason); break;
      }
    }
  }
}

std::optional<std::string> compare_with_model(const Case& c, std::vector<std::vector<std::string>> seen,
                                              const std::function<std::string(int)>& ended) {
  Model model(c.n);
  // What an actor that dies in a step had received in it is not observable: its EXIT may be
  // delivered before it ran to log a DOWN that arrived first. Only survivors' logs are compared.
  auto survivors_only = [&model](std::vector<std::string> events) {
    std::erase_if(events, [&model](const std::string& e) { return !model.alive[std::stoi(e)]; });
    std::sort(events.begin(), events.end());
    return events;
  };
  for (size_t k = 0; k < c.steps.size(); ++k) {
    model.events.clear();
    model.apply(c.steps[k]);
    model.events = survivors_only(model.events);
    if (k < seen.size()) seen[k] = survivors_only(seen[k]);
    if (k >= seen.size() || seen[k] != model.events) {
      std::string got, want;
      if (k < seen.size()) for (const auto& e : seen[k]) got += "[" + e + "] ";
      for (const auto& e : model.events) want += "[" + e + "] ";
      return "after step " + std::to_string(k + 1) + ": saw " + got + "; the model says " + want;
    }
  }
  for (int i = 0; i < c.n; ++i) {
    std::string got = ended(i);
    if (got != model.reason[i])
      return "actor " + std::to_string(i) + " ended " + got + "; the model says " + model.reason[i];
  }
  return std::nullopt;
}

}  // namespace kernel_signals

namespace {

std::optional<std::string> check(const kernel_signals::Case& c) {
  using namespace kernel_signals;
  sim::World w({.seed = c.seed});
  std::vector<Pid> pids(c.n);
  SignalLog log;
  std::vector<std::vector<std::string>> seen;  // per step
  w.spawn([&](Process& self) -> Proc {
    for (int i = 0; i < c.n; ++i) pids[i] = self.spawn([&, i](Process& me) { return actor(me, i, pids, log); });
    co_await self.sleep(1);
    for (const auto& s : c.steps) {
      self.send(pids[s.a], Cmd{s});
      co_await self.sleep(1);  // everything the step caused has settled
      seen.push_back(log.take());
    }
  });
  auto r = w.run({.max_steps = 200'000});
  if (r.stop != sim::StopReason::quiescent) return "the world did not settle";
  return compare_with_model(c, std::move(seen), [&](int i) {
    auto er = w.exit_reason(pids[i]);
    return w.alive(pids[i]) ? std::string("alive") : er ? er->to_string() : std::string("dead, no reason");
  });
}

}  // namespace

SuiteOutcome kernel_signals_suite(sim::Draws& d) {
  kernel_signals::Case c = kernel_signals::draw(d);
  return {check(c), kernel_signals::describe(c)};
}

}  // namespace otp::properties
