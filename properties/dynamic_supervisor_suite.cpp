// dynamic-supervisor (S40, S28): children of all restart types started on demand (some init
// fails or returns ignore) under random max_children, extra_arguments and intensity, then
// crashed, killed, exited normally or terminated at random times. Every start_child and
// terminate_child result, every count_children, the arguments of every (re)start, and when
// the supervisor gives up must equal the model's.
#include <algorithm>
#include <deque>

#include <otpsim/core/behaviours/dynamic_supervisor.hpp>
#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {
namespace {

enum class Op : uint8_t { start, exit, terminate, terminate_gone, count };
const char* op_name(Op o) {
  static constexpr const char* n[] = {"start", "exit", "terminate", "terminate_gone", "count"};
  return n[static_cast<int>(o)];
}
enum class Mode : uint8_t { ok, ignore, fail };

struct Step {
  Op op;
  int64_t gap_ms;  // virtual time before the step
  uint32_t pick;   // which child (modulo the children there are)
  Restart restart;
  Mode mode;
  Term reason;
};

struct Case {
  dynamic_supervisor::Options opts;
  std::vector<Step> steps;
  uint64_t seed = 1;
};

Case draw(sim::Draws& d) {
  Case c;
  uint32_t mc = d.below(4);
  if (mc > 0) c.opts.max_children = mc;
  c.opts.max_restarts = d.below(4);
  c.opts.max_seconds = 1 + d.below(2);
  if (d.chance(2)) c.opts.extra_arguments = {atom("extra")};
  static constexpr Restart restarts[] = {Restart::permanent, Restart::transient, Restart::temporary};
  static constexpr Mode modes[] = {Mode::ok, Mode::ok, Mode::ok, Mode::ignore, Mode::fail};
  static const Term reasons[] = {atom("normal"), atom("shutdown"), tuple(atom("shutdown"), atom("x")), atom("boom"), atom("kill")};
  static constexpr int64_t gaps[] = {1, 300, 700, 1100};
  size_t m = 1 + d.below(12);
  for (size_t i = 0; i < m; ++i) {
    Step s{static_cast<Op>(d.below(5)), gaps[d.below(4)], d.below(8), restarts[d.below(3)], modes[d.below(5)], reasons[d.below(5)]};
    if (s.op == Op::count && d.chance(2)) s.op = Op::start;  // starts twice as often
    c.steps.push_back(std::move(s));
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const Case& c) {
  std::string s = "max_children " + (c.opts.max_children ? std::to_string(*c.opts.max_children) : std::string("infinity")) +
                  ", intensity " + std::to_string(c.opts.max_restarts) + "/" + std::to_string(c.opts.max_seconds) + " s, extra " +
                  Term::list(c.opts.extra_arguments).to_string() + ", seed " + std::to_string(c.seed) + ":";
  for (const auto& st : c.steps) {
    s += " +" + std::to_string(st.gap_ms) + " " + op_name(st.op);
    if (st.op == Op::start) s += std::string("(") + to_string(st.restart) + (st.mode == Mode::ok ? "" : st.mode == Mode::ignore ? ",ignore" : ",fail") + ")";
    if (st.op == Op::exit) s += "(#" + std::to_string(st.pick) + "," + st.reason.to_string() + ")";
    if (st.op == Op::terminate) s += "(#" + std::to_string(st.pick) + ")";
  }
  return s;
}

// A child records every successful init with the arguments it got; its first init may be
// told to fail or return ignore (by the label's mode), restarts always succeed.
struct Lab {
  std::vector<std::string> starts;
  std::vector<Mode> first_mode;
  std::vector<bool> started;
};

class Child : public GenServer {
 public:
  Child(Lab& lab, std::vector<Term> args) : lab_(lab), args_(std::move(args)) {}
  Task<InitResult> init(Process&) override {
    size_t label = static_cast<size_t>(args_.back().integer_value());
    if (!lab_.started[label]) {
      lab_.started[label] = true;
      if (lab_.first_mode[label] == Mode::ignore) co_return InitResult::ignore();
      if (lab_.first_mode[label] == Mode::fail) co_return InitResult::stop(atom("no_user"));
    }
    lab_.starts.push_back(Term::list(args_).to_string());
    co_return InitResult::ok();
  }
  Task<Result> handle_cast(Process&, Message m) override { co_return Result::stop(*m.get<Term>()); }

 private:
  Lab& lab_;
  std::vector<Term> args_;
};

struct ModelChild {
  int64_t label;
  Restart restart;
  uint64_t seq;  // start order of the current incarnation: which_children lists by pid
};

std::optional<std::string> check(const Case& c) {
  sim::World w({.seed = c.seed});
  Lab lab;
  lab.first_mode.resize(c.steps.size());
  lab.started.resize(c.steps.size(), false);
  std::vector<std::string> seen, want;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, c.opts)).pid;
    // The model.
    std::vector<ModelChild> kids;
    std::deque<int64_t> restarts;  // whole seconds (S28)
    bool sup_alive = true;
    uint64_t seq = 0;
    std::vector<std::string> model_starts;
    auto extra_and = [&](int64_t label) {
      std::vector<Term> a = c.opts.extra_arguments;
      a.push_back(integer(label));
      return Term::list(std::move(a)).to_string();
    };
    Pid gone{};  // a child pid that is no longer there
    int64_t now = self.now_ms();
    for (size_t k = 0; k < c.steps.size(); ++k) {
      const Step& s = c.steps[k];
      co_await self.sleep(s.gap_ms);
      now += s.gap_ms;
      std::string tag = std::to_string(k) + " " + op_name(s.op) + ": ";
      auto pid_of = [&](size_t i) -> Task<Pid> {  // the i-th child by pid, as the supervisor lists them
        Term kids_now = co_await dynamic_supervisor::which_children(self, sup);
        co_return i < kids_now.items().size() ? kids_now.items()[i][1].pid() : Pid{};
      };
      switch (s.op) {
        case Op::start: {
          int64_t label = static_cast<int64_t>(k);
          lab.first_mode[k] = s.mode;
          Term expect;
          if (!sup_alive) expect = atom("noproc");
          else if (c.opts.max_children && static_cast<int64_t>(kids.size()) >= *c.opts.max_children) expect = tuple(atom("error"), atom("max_children"));
          else if (s.mode == Mode::ignore) expect = atom("ignore");
          else if (s.mode == Mode::fail) expect = tuple(atom("error"), atom("no_user"));
          else {
            expect = atom("ok");
            kids.push_back({label, s.restart, seq++});
            model_starts.push_back(extra_and(label));
          }
          want.push_back(tag + expect.to_string());
          dynamic_supervisor::ChildSpec spec;
          spec.start = [&lab](Process& p, std::vector<Term> args) {
            return gen_server::start_link(p, [&lab, args] { return std::make_unique<Child>(lab, args); });
          };
          spec.args = {integer(label)};
          spec.restart = s.restart;
          Term got;
          try {
            got = co_await dynamic_supervisor::start_child(self, sup, spec);
            if (got.is_tuple(2) && got[0].is_atom("ok")) got = atom("ok");
          } catch (const Exit& e) {
            got = e.reason()[0];
          }
          seen.push_back(tag + got.to_string());
          break;
        }
        case Op::exit: {
          if (!sup_alive || kids.empty()) break;
          size_t i = s.pick % kids.size();
          ModelChild mc = kids[i];
          Pid p = co_await pid_of(i);
          gone = p;
          Term reason = s.reason.is_atom("kill") ? atom("killed") : s.reason;
          bool restart = mc.restart == Restart::permanent || (mc.restart == Restart::transient && !is_normal_exit(reason));
          kids.erase(kids.begin() + static_cast<std::ptrdiff_t>(i));
          if (restart) {
            int64_t now_s = now / 1000;
            restarts.push_back(now_s);
            while (restarts.front() < now_s - c.opts.max_seconds) restarts.pop_front();
            if (static_cast<int64_t>(restarts.size()) > c.opts.max_restarts) {
              sup_alive = false;  // S28: gives up, its children are shut down
              kids.clear();
              want.push_back(tag + "the supervisor exits shutdown");
            } else {
              kids.push_back({mc.label, mc.restart, seq++});
              model_starts.push_back(extra_and(mc.label));
            }
          }
          if (s.reason.is_atom("kill")) self.exit(p, atom("kill"));
          else gen_server::cast(self, p, s.reason);
          break;
        }
        case Op::terminate:
        case Op::terminate_gone: {
          if (!sup_alive) break;
          Pid p = gone;
          if (s.op == Op::terminate) {
            if (kids.empty()) break;
            size_t i = s.pick % kids.size();
            p = co_await pid_of(i);
            kids.erase(kids.begin() + static_cast<std::ptrdiff_t>(i));
            want.push_back(tag + "ok");
          } else {
            if (!p) break;
            want.push_back(tag + "{error,not_found}");
          }
          seen.push_back(tag + (co_await dynamic_supervisor::terminate_child(self, sup, p)).to_string());
          if (s.op == Op::terminate) gone = p;
          break;
        }
        case Op::count: {
          if (!sup_alive) break;
          int64_t n = static_cast<int64_t>(kids.size());
          want.push_back(tag + count_children_term(n, n, 0).to_string());
          seen.push_back(tag + (co_await dynamic_supervisor::count_children(self, sup)).to_string());
          break;
        }
      }
      co_await self.sleep(1);  // settled
      now += 1;
      if (s.op == Op::exit && !sup_alive && !self.node().alive(sup) && want.back() == tag + "the supervisor exits shutdown")
        seen.push_back(tag + "the supervisor exits shutdown");
      else if (s.op == Op::exit && sup_alive != self.node().alive(sup))
        seen.push_back(tag + (sup_alive ? "the supervisor exited" : "the supervisor is still alive"));
    }
    want.push_back("starts: " + Term::list({}).to_string());
    for (const auto& x : model_starts) want.back() += " " + x;
  });
  auto r = w.run({.max_steps = 500'000});
  if (r.stop != sim::StopReason::quiescent) return "the world did not settle";
  seen.push_back("starts: []");
  for (const auto& x : lab.starts) seen.back() += " " + x;
  return differs_from_model("saw", seen, want);
}

}  // namespace

SuiteOutcome dynamic_supervisor_suite(sim::Draws& d) {
  Case c = draw(d);
  return {check(c), describe(c)};
}

}  // namespace otp::properties
