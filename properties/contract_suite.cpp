// contracts: every probe of every area in each case (one documented API behaviour each), with
// its timings, reasons and schedule drawn (properties/contract_probe.hpp).
#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/properties/contract_probe.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {
namespace contract {

int64_t Probe::ms(const char* name, int64_t lo, int64_t hi) {
  int64_t v = lo + static_cast<int64_t>(d_.below(static_cast<uint32_t>(hi - lo + 1)));
  note(name, std::to_string(v));
  return v;
}

bool Probe::chance(const char* name) {
  bool v = d_.chance(2);
  note(name, v ? "yes" : "no");
  return v;
}

void Probe::expect(const std::string& what, const std::string& got, const std::string& want) {
  if (got != want) failures_ += "\n  " + what + ": got " + got + ", OTP gives " + want;
}

void Probe::run(const std::function<Proc(Process&)>& body) {
  sim::World w({.seed = seed_});
  bool ended = false;
  w.spawn([&](Process& self) -> Proc {
    co_await body(self);
    ended = true;
  });
  w.run({.max_steps = 100'000});  // a probe takes a few hundred steps: more is a livelock
  if (!ended) failures_ += "\n  the probe's process never ended:\n" + w.blocked_report({}, "    ");
}

}  // namespace contract

// Every probe in every case, each with its own draws: a few seeds exercise all of them.
SuiteOutcome contract_suite(sim::Draws& d) {
  static const std::vector<contract::ProbeDef> all = [] {
    std::vector<contract::ProbeDef> v;
    for (const auto* area : {&contract::kernel_probes(), &contract::gen_server_probes(), &contract::supervisor_probes(),
                             &contract::component_probes(), &contract::scenario_probes()})
      v.insert(v.end(), area->begin(), area->end());
    return v;
  }();
  std::string text, failures;
  for (const auto& def : all) {
    contract::Probe p(d);
    def.run(p);
    text += std::string(text.empty() ? "" : "; ") + def.name + " (" + def.rule + ") seed " + std::to_string(p.seed()) + ":" + p.text();
    if (!p.failures().empty()) failures += std::string(failures.empty() ? "" : "\n") + def.name + ":" + p.failures();
  }
  if (failures.empty()) return {std::nullopt, text};
  return {failures, text};
}

}  // namespace otp::properties
