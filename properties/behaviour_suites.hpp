#pragma once
// Property suites for the kernel and the OTP behaviours beyond Supervisor: each draws a random
// sequence of operations (with crashes and kills), runs it on a simulated world whose schedule
// is drawn too, and compares what the processes saw with a small reference model.
#include <otpsim/properties/suites.hpp>

namespace otp::properties {

SuiteOutcome kernel_signals_suite(sim::Draws& d);     // S1-S4: links, monitors, exit signals
SuiteOutcome registry_suite(sim::Draws& d);           // S60
SuiteOutcome gen_server_call_suite(sim::Draws& d);    // S11
SuiteOutcome task_suite(sim::Draws& d);               // S50
SuiteOutcome dynamic_supervisor_suite(sim::Draws& d); // S40

}  // namespace otp::properties
