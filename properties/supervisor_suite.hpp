#pragma once
// Supervisor suites against the reference model: a random one-level supervisor, a timed plan
// of child exits (and, for restart-types, API calls), and a scheduling seed; the simulated
// event log, API results and final child list must equal the model's prediction.
// Cases are built from Draws, so a failing case is replayed and shrunk from its draw list.
#include <optional>
#include <string>
#include <vector>

#include <otpsim/properties/supervisor_model.hpp>
#include <otpsim/sim/draws.hpp>

namespace otp::properties {

struct SupCase {
  SupFlags flags;
  std::vector<model::ModelChild> kids;
  std::vector<model::Exit> exits;  // operations, in time order, >= 2 ms apart
  uint64_t seed = 1;               // the world's scheduling seed
};

Term exit_reason_kind(int k);  // 0 normal, 1 shutdown, 2 {shutdown,bye}, else boom
// with_api: also terminate_child / restart_child / delete_child calls among the exits.
SupCase random_case(sim::Draws& d, bool with_api = false);
std::optional<std::string> check_case(const SupCase& c);  // nullopt = the run matched the model
std::string describe(const SupCase& c);
std::string join(const std::vector<std::string>& events);  // space-separated, for reports

}  // namespace otp::properties
