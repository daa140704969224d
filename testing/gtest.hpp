#pragma once
// Simulation tests in GoogleTest. One declaration runs its body over many runs:
//
//   OTPSIM_TEST(Counter, RestartsWithFreshState) {
//     Pid c = co_await t.start_supervised(counter_spec());
//     ...
//     EXPECT_EQ(co_await counter::get(t.self(), c), 0);
//   }
//   OTPSIM_TEST_WITH(Orders, SurviveCrashes, {.runs = 5000, .faults = otp::testing::Faults::swarm()}) { ... }
//   (fields in Config's order: strategy, runs, seed, bound, time_budget_ms, max_steps, max_time_ms, faults, shrink)
//
// EXPECT_* and ASSERT_* work in the body (ASSERT_* only outside coroutines: in t.invariant and
// t.at_end lambdas), in invariants and final checks, and in the user's own processes. A run's
// failures are collected; the first failing run is shrunk, confirmed (replayed twice: same
// verdict, same trace hash), and reported with GoogleTest's own messages plus a replay token:
//   OTPSIM_REPLAY=<token> ./tests --gtest_filter=Counter.RestartsWithFreshState
// The same tests run from the CLI when the binary's main is otpsim::testing_main.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include <otpsim/testing/check.hpp>
#include <otpsim/testing/gtest_report.hpp>
#include <otpsim/testing/registry.hpp>

namespace otp::testing {

// Intercepts GoogleTest assertions raised on this thread while one run executes.
class GtestCapture final : public FailureCapture {
 public:
  GtestCapture() : reporter_(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results_) {}
  bool any() const override { return results_.size() > 0; }
  std::vector<Failure> take() override {
    std::vector<Failure> out;
    for (int i = 0; i < results_.size(); ++i) {
      const auto& r = results_.GetTestPartResult(i);
      if (!r.failed()) continue;
      // ADD_FAILURE's own "Failed" line goes: re-raised, the failure gets it again.
      std::string m = r.message();
      if (m.rfind("Failed\n", 0) == 0) m.erase(0, 7);
      out.push_back({std::move(m), r.file_name() ? r.file_name() : "", r.line_number()});
    }
    return out;
  }

 private:
  ::testing::TestPartResultArray results_;
  ::testing::ScopedFakeTestPartResultReporter reporter_;
};

inline CaptureFactory gtest_capture() {
  return [] { return std::unique_ptr<FailureCapture>(std::make_unique<GtestCapture>()); };
}

// Runs a registered simulation test inside the current GoogleTest test. Inline, so the
// library itself needs no GoogleTest.
inline void run_in_gtest(const char* name) {
  std::string program = ::testing::internal::GetArgvs().empty() ? "./tests" : ::testing::internal::GetArgvs()[0];
  GtestReport r = run_for_gtest(name, program);
  // A failure with no place of its own (a deadlock, a livelock, a crash of the test process, a
  // malformed OTPSIM_* variable) is reported at the test's declaration, not in this header.
  const Entry* entry = registry().find(name);
  const TestDef* def = entry ? entry->test : nullptr;
  auto fail_at_test = [def](const std::string& text) {
    if (def && !def->file.empty()) ADD_FAILURE_AT(def->file.c_str(), def->line) << text;
    else ADD_FAILURE() << text;
  };
  switch (r.outcome) {
    case GtestReport::Outcome::passed:
      if (!r.message.empty()) std::printf("%s", r.message.c_str());
      return;
    case GtestReport::Outcome::skipped: GTEST_SKIP() << r.message; return;
    case GtestReport::Outcome::error: fail_at_test(r.message); return;
    case GtestReport::Outcome::failed:
      // Each failure of the minimal run at its own place; the report (shrinking, token) goes
      // with the last one rather than as a failure of its own.
      for (size_t i = 0; i < r.failures.size(); ++i) {
        const auto& f = r.failures[i];
        std::string text = i + 1 == r.failures.size() ? f.message + "\n" + r.message : f.message;
        if (!f.file.empty()) ADD_FAILURE_AT(f.file.c_str(), f.line) << text;
        else fail_at_test(text);
      }
      if (r.failures.empty()) fail_at_test(r.message);
      return;
  }
}

}  // namespace otp::testing

#define OTPSIM_TEST_IMPL_(Suite, Name, ...)                                                                     \
  static ::otp::Task<void> otpsim_body_##Suite##_##Name(::otp::testing::SimTest& t);                           \
  [[maybe_unused]] static const ::otp::testing::Entry& otpsim_entry_##Suite##_##Name =                         \
      ::otp::testing::register_test({#Suite "." #Name, otpsim_body_##Suite##_##Name, __VA_ARGS__, __FILE__,    \
                                     __LINE__, ::otp::testing::gtest_capture()});                              \
  TEST(Suite, Name) { ::otp::testing::run_in_gtest(#Suite "." #Name); }                                        \
  static ::otp::Task<void> otpsim_body_##Suite##_##Name([[maybe_unused]] ::otp::testing::SimTest& t)

// A simulation test with the default config (1,000 random runs, no faults).
#define OTPSIM_TEST(Suite, Name) OTPSIM_TEST_IMPL_(Suite, Name, ::otp::testing::Config{})
// A simulation test with its own config: OTPSIM_TEST_WITH(S, N, {.strategy = ..., .runs = 100}) —
// designated initialisers in Config's field order.
#define OTPSIM_TEST_WITH(Suite, Name, ...) OTPSIM_TEST_IMPL_(Suite, Name, ::otp::testing::Config __VA_ARGS__)
