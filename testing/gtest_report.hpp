#pragma once
// What a simulation test's run under GoogleTest came to; gtest.hpp reports it.
#include <string>
#include <vector>

#include <otpsim/testing/sim_test.hpp>

namespace otp::testing {

struct GtestReport {
  enum class Outcome { passed, failed, skipped, error } outcome;
  std::string message;            // the report (or the skip / error reason)
  std::vector<Failure> failures;  // the minimal run's failures, re-raised at their places
};

// Runs registered test `name` as the OTPSIM_* environment says (OTPSIM_REPLAY: one replay).
// `program` is how replay lines name the test binary.
GtestReport run_for_gtest(const std::string& name, const std::string& program);

}  // namespace otp::testing
