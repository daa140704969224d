#pragma once
// Property suites for the kernel and the OTP behaviours beyond Supervisor: each draws a random
// sequence of operations (with crashes and kills), runs it on a simulated world whose schedule
// is drawn too, and compares what the processes saw with a small reference model.
#include <optional>
#include <string>
#include <vector>

#include <otpsim/properties/suites.hpp>

namespace otp::properties {

SuiteOutcome kernel_signals_suite(sim::Draws& d);     // S1-S4: links, monitors, exit signals
SuiteOutcome registry_suite(sim::Draws& d);           // S60
SuiteOutcome gen_server_call_suite(sim::Draws& d);    // S11
SuiteOutcome task_suite(sim::Draws& d);               // S50
SuiteOutcome dynamic_supervisor_suite(sim::Draws& d); // S40
SuiteOutcome sim_test_suite(sim::Draws& d);           // S5 S90 S91: the simulation-test runner
SuiteOutcome dpor_suite(sim::Draws& d);               // S1-S5 S91: dpor finds what exhaustive DFS finds
SuiteOutcome contract_suite(sim::Draws& d);           // one documented API behaviour per case (contract_probe.hpp)
SuiteOutcome rt_suite(sim::Draws& d);                 // S1-S6 on the threaded executor

// A failure naming what was seen and what the model says, or nullopt when they agree.
inline std::optional<std::string> differs_from_model(const char* what, const std::vector<std::string>& seen,
                                                     const std::vector<std::string>& want) {
  if (seen == want) return std::nullopt;
  std::string a, b;
  for (const auto& x : seen) a += "[" + x + "] ";
  for (const auto& x : want) b += "[" + x + "] ";
  return std::string(what) + ": " + a + "\n  the model says: " + b;
}

}  // namespace otp::properties
