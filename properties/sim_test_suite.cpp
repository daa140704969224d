// sim-tests (S5 S90 S91): the runner of users' simulation tests checked like everything else.
// A random small test — senders to the test process, and a planted deadlock, livelock,
// invariant breach, failing final check, death of the test process or swarm faults — is run once; its verdict must be the one the case
// implies, a fault must land only where allowed and as the trace says, and the recorded
// stream must replay to the same verdict and trace hash.
#include <algorithm>
#include <stdexcept>

#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/testing/run_once.hpp>

namespace otp::properties {
namespace {

enum class Plant : uint8_t { none, deadlock, livelock, invariant, faults, final_check, test_exits, timer_livelock };
const char* plant_name(Plant p) {
  static constexpr const char* names[] = {"none", "deadlock", "livelock", "invariant", "faults", "final_check", "test_exits", "timer_livelock"};
  return names[static_cast<int>(p)];
}

struct Case {
  uint32_t senders = 1, per_sender = 1;
  Plant plant = Plant::none;
  uint32_t breach_at = 1;  // invariant: fails once this many messages have arrived
  Term exit_reason{};      // test_exits: the reason a process linked to the test process exits with
  uint64_t seed = 1;
};

Case draw(sim::Draws& d) {
  Case c;
  c.senders = 1 + d.below(4);
  c.per_sender = 1 + d.below(3);
  // Faults a quarter of the time: the plant with the most to check (where each fault may land).
  c.plant = d.below(4) == 0 ? Plant::faults : static_cast<Plant>(d.below(8));
  c.breach_at = 1 + d.below(c.senders * c.per_sender);
  static const Term exits[] = {atom("shutdown"), tuple(atom("shutdown"), atom("x")), atom("boom"), atom("kill")};
  c.exit_reason = exits[d.below(4)];
  c.seed = d.seed();
  return c;
}

std::string describe(const Case& c) {
  return std::to_string(c.senders) + " sender(s) x " + std::to_string(c.per_sender) + " message(s), planted " +
         plant_name(c.plant) + (c.plant == Plant::invariant ? " at " + std::to_string(c.breach_at) : "") +
         (c.plant == Plant::test_exits ? " (" + c.exit_reason.to_string() + ")" : "") + ", seed " +
         std::to_string(c.seed);
}

struct Seen {
  uint32_t received = 0;
  bool breached = false;
  uint64_t registered_at = 0, breached_at = 0, checks = 0;  // executor steps; invariant calls
  bool out_of_order = false;
  std::string test_pid;
};

testing::TestDef make_test(const Case& c, Seen& seen) {
  testing::Config cfg{.runs = 1, .max_steps = 20'000, .max_time_ms = 5'000};
  if (c.plant == Plant::faults) cfg.faults = {.crash = true, .kill = true, .exit_signal = true, .max_faults = 3, .max_gap_steps = 5};
  auto body = [c, &seen](testing::SimTest& t) -> Task<void> {
    Process& self = t.self();
    if (c.plant == Plant::invariant) {
      seen.registered_at = t.world().executor().steps();
      t.invariant([&t, &seen, c] {
        ++seen.checks;
        if (seen.received >= c.breach_at && !seen.breached) {
          seen.breached = true;
          seen.breached_at = t.world().executor().steps();
          t.fail("breach");
        }
      });
    }
    Pid me = t.pid();
    seen.test_pid = Term(me).to_string();
    for (uint32_t s = 0; s < c.senders; ++s)
      self.spawn([me, s, n = c.per_sender](Process& p) -> Proc {
        for (uint32_t i = 0; i < n; ++i) p.send(me, tuple(integer(s), integer(i)));
        co_await p.sleep(1);
      });
    if (c.plant == Plant::livelock)
      self.spawn([](Process& p) -> Proc {
        for (;;) co_await p.yield();
      });
    if (c.plant == Plant::timer_livelock)  // never quiet: a timer always pending, time runs out first
      self.spawn([](Process& p) -> Proc {
        for (;;) co_await p.sleep(1'000);
      });
    if (c.plant == Plant::faults) {  // the senders are the faults' targets; the test process lives on meanwhile and is never one
      co_await self.sleep(2);
      co_return;
    }
    if (c.plant == Plant::final_check) t.at_end([] { throw std::runtime_error("planted final check"); });
    if (c.plant == Plant::test_exits)  // a linked process's exit takes the test process down: it never ends
      self.spawn_link([why = c.exit_reason](Process& p) -> Proc {
        co_await p.sleep(1);
        throw Exit(why);
      });
    std::vector<int64_t> next(c.senders, 0);
    for (uint32_t k = 0; k < c.senders * c.per_sender; ++k) {
      auto m = co_await self.receive_any();
      const Term& v = *m->get<Term>();
      auto s = static_cast<size_t>(v[0].integer_value());
      if (v[1].integer_value() != next[s]) seen.out_of_order = true;  // S5
      next[s] = v[1].integer_value() + 1;
      ++seen.received;
    }
    if (c.plant == Plant::deadlock) co_await self.receive([](const Message&) { return false; });
    if (c.plant == Plant::test_exits) co_await self.sleep(5);  // the linked exit comes first
  };
  return testing::TestDef{"sim-tests.case", body, cfg};
}

std::optional<std::string> check(const Case& c) {
  Seen seen;
  testing::TestDef def = make_test(c, seen);
  testing::RunOutcome o = testing::run_once(def, {.seed = c.seed, .trace = true});
  if (seen.out_of_order) return "messages from one sender arrived out of order (S5)";
  testing::Verdict want = c.plant == Plant::deadlock    ? testing::Verdict::deadlock
                          : c.plant == Plant::livelock || c.plant == Plant::timer_livelock ? testing::Verdict::no_quiescence
                          : c.plant == Plant::invariant || c.plant == Plant::final_check || c.plant == Plant::test_exits
                              ? testing::Verdict::failed
                              : testing::Verdict::passed;
  if (o.verdict != want)
    return std::string("verdict ") + testing::to_string(o.verdict) + ", the case implies " + testing::to_string(want) + "\n  " + o.describe();
  if (c.plant == Plant::invariant && seen.checks != seen.breached_at - seen.registered_at + 1)
    return "the invariant ran " + std::to_string(seen.checks) + " times over steps " + std::to_string(seen.registered_at) + ".." +
           std::to_string(seen.breached_at) + ": it was not checked after every step";
  if (c.plant == Plant::invariant && o.steps != seen.breached_at)
    return "the run went on for " + std::to_string(o.steps - seen.breached_at) + " step(s) after the invariant failed";
  if (c.plant == Plant::faults) {
    // Every injection names a live process that is not the test process, and that process's
    // exit in the trace carries the injected reason (killed for kill; trappable exits may be ignored).
    const std::string& test_pid = seen.test_pid;
    size_t injected = 0;
    for (size_t i = 0; i < o.trace.size(); ++i) {
      const std::string& l = o.trace[i];
      if (l.find("\"ev\":\"inject\"") == std::string::npos) continue;
      ++injected;
      size_t p = l.find("\"pid\":\"");
      std::string target = l.substr(p + 7, l.find('"', p + 7) - p - 7);
      if (target == test_pid) return "a fault was injected into the test process: " + l;
      if (l.find("\"fault\":\"crash\"") != std::string::npos) {
        bool exited = std::any_of(o.trace.begin() + static_cast<ptrdiff_t>(i), o.trace.end(), [&](const std::string& x) {
          return x.find("\"ev\":\"exit\"") != std::string::npos && x.find("\"pid\":\"" + target + "\"") != std::string::npos &&
                 x.find("injected_crash") != std::string::npos;
        });
        if (!exited) return "an injected crash of " + target + " left no exit with reason {injected_crash,N} in the trace";
      }
    }
    // The case description counts the faults that landed (docs/testing-your-code.md, "minimal
    // case: N injected fault(s)"): exactly the trace's inject events.
    size_t said = o.case_text.find("injected fault") == std::string::npos ? 0 : std::stoul(o.case_text);
    if (injected != said)
      return "the case says " + std::to_string(said) + " injected fault(s) ('" + o.case_text + "'), the trace has " +
             std::to_string(injected);
  }
  Seen fresh;
  testing::TestDef def2 = make_test(c, fresh);
  testing::RunOutcome again = testing::run_once(def2, {.seed = c.seed, .script = o.stream, .trace = true});
  if (again.verdict != o.verdict || again.trace_hash != o.trace_hash)
    return "the recorded stream replays to " + std::string(testing::to_string(again.verdict)) + " with another trace (S91)";
  return std::nullopt;
}

}  // namespace

SuiteOutcome sim_test_suite(sim::Draws& d) {
  Case c = draw(d);
  return {check(c), describe(c)};
}

}  // namespace otp::properties
