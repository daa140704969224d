#pragma once
// The named property suites, shared by the GoogleTest/RapidCheck tests and `otpsim check`.
// Every case is built from a Draws stream, so (suite, draw list) reproduces it exactly.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <otpsim/sim/draws.hpp>

namespace otp::properties {

struct SuiteOutcome {
  std::optional<std::string> failure;  // nullopt: the property held
  std::string case_text;               // the generated case, human-readable
};

struct Suite {
  const char* name;
  const char* rules;  // the SEMANTICS rules it checks
  const char* what;
  SuiteOutcome (*run)(sim::Draws&);
};

const std::vector<Suite>& all_suites();
const Suite* find_suite(std::string_view name);
// Adds every suite (and pool-guide, which is expected to fail) to otp::testing::registry(),
// where `otpsim` and the tests' runners find them. Once per program; later calls do nothing.
void register_suites();

}  // namespace otp::properties
