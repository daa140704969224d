#pragma once
// The supervisor-model suite: a random one-level supervisor, a timed plan of child exits and
// a scheduling seed; the simulated event log must equal the reference model's prediction.
// Shared by the RapidCheck test (which shrinks) and `otpsim check supervisor-model` (which
// prints replay tokens).
#include <optional>
#include <string>
#include <vector>

#include "properties/supervisor_model.hpp"

namespace otp::properties {

struct SupCase {
  SupFlags flags;
  std::vector<model::ModelChild> kids;
  std::vector<model::Exit> exits;
  uint64_t seed = 1;
};

Term exit_reason_kind(int k);             // 0 normal, 1 shutdown, 2 {shutdown,bye}, else boom
SupCase random_case(uint64_t seed);       // everything drawn from one seed (xoshiro256**)
std::optional<std::string> check_case(const SupCase& c);  // nullopt = the run matched the model
std::string describe(const SupCase& c);

}  // namespace otp::properties
