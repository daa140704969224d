// Property suites against the reference model (properties/supervisor_model):
// restart-strategy ordering (S23, S25-S27), intensity escalation (S28), restart types (S24),
// under random trees, exit plans and scheduling seeds.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/supervisor_suite.hpp"
#include "properties/lab.hpp"

using namespace otp;
using otp::sim::World;

using otp::properties::SupCase;

RC_GTEST_PROP(SupervisorModel, TraceMatchesTheReferenceModel, ()) {  // S23-S28
  SupCase c;
  c.flags.strategy = *rc::gen::element(Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one);
  c.flags.max_restarts = *rc::gen::inRange<int64_t>(0, 4);
  c.flags.max_seconds = *rc::gen::inRange<int64_t>(1, 4);
  int n = *rc::gen::inRange(1, 5);
  for (int i = 0; i < n; ++i)
    c.kids.push_back({"c" + std::to_string(i), *rc::gen::element(Restart::permanent, Restart::transient, Restart::temporary)});
  int m = *rc::gen::inRange(0, 7);
  int64_t t = 0;
  for (int i = 0; i < m; ++i) {
    t += *rc::gen::inRange<int64_t>(2, 1500);  // >= 2 ms apart: each exit settles first
    c.exits.push_back({static_cast<size_t>(*rc::gen::inRange(0, n)),
                       properties::exit_reason_kind(*rc::gen::inRange(0, 4)), t});
  }
  c.seed = *rc::gen::arbitrary<uint64_t>();
  auto failure = properties::check_case(c);
  RC_LOG() << properties::describe(c) << "\n" << failure.value_or("") << "\n";
  RC_ASSERT(!failure.has_value());
}
