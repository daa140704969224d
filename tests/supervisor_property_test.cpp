// The property suites (properties/suites.cpp) as RapidCheck properties: RapidCheck generates
// and shrinks the draw list a case is built from, and a failure prints the otpsim token that
// replays exactly that (shrunk) case: `otpsim replay otpsim2:...:suite/<name>`.
//   supervisor-model: S23, S25-S28    intensity: S28, S30    restart-types: S21, S24, S31
//   determinism: S91                  invariants: S3, S23, S28 (suite 5, after every step)
//   kernel-signals: S1-S4  registry: S60  gen-server-call: S11  task: S50  dynamic-supervisor: S40
//   rt: S1-S6 and S11 on the threaded executor (also run under TSan)
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <otpsim/properties/suites.hpp>
#include <otpsim/sim/token.hpp>

using namespace otp;

namespace {

void check_suite(const char* name) {
  const auto* suite = properties::find_suite(name);
  RC_ASSERT(suite != nullptr);
  auto draws = *rc::gen::container<std::vector<uint32_t>>(rc::gen::arbitrary<uint32_t>());
  sim::Draws d(draws);
  properties::SuiteOutcome o = suite->run(d);
  if (o.failure) {
    RC_LOG() << "case: " << o.case_text << "\n" << *o.failure << "\n"
             << "otpsim replay " << shell_quoted(make_token(std::string("suite/") + name, 0, d.recorded())) << "\n";
  }
  RC_ASSERT(!o.failure.has_value());
}

}  // namespace

RC_GTEST_PROP(PropertySuites, SupervisorModel, ()) { check_suite("supervisor-model"); }  // S23 S25-S28
RC_GTEST_PROP(PropertySuites, Intensity, ()) { check_suite("intensity"); }               // S28 S30
RC_GTEST_PROP(PropertySuites, RestartTypes, ()) { check_suite("restart-types"); }        // S21 S24 S31
RC_GTEST_PROP(PropertySuites, Determinism, ()) { check_suite("determinism"); }           // S91
RC_GTEST_PROP(PropertySuites, Invariants, ()) { check_suite("invariants"); }             // S3 S23 S28
RC_GTEST_PROP(PropertySuites, Pool, ()) { check_suite("pool"); }                         // S80
RC_GTEST_PROP(PropertySuites, KernelSignals, ()) { check_suite("kernel-signals"); }        // S1-S4
RC_GTEST_PROP(PropertySuites, Registry, ()) { check_suite("registry"); }                  // S60
RC_GTEST_PROP(PropertySuites, GenServerCall, ()) { check_suite("gen-server-call"); }      // S11
RC_GTEST_PROP(PropertySuites, Task, ()) { check_suite("task"); }                          // S50
RC_GTEST_PROP(PropertySuites, DynamicSupervisor, ()) { check_suite("dynamic-supervisor"); }  // S40 S28
RC_GTEST_PROP(PropertySuites, Rt, ()) { check_suite("rt"); }                              // S1-S6, S10, S11 on rt

// The shrinker and the token round trip that `otpsim shrink` / `replay` rely on.
TEST(Tokens, ChoicesRoundTrip) {
  std::vector<uint32_t> v{0, 0, 0, 0, 7, 7, 1, 4294967295u, 0};
  Token t = parse_token(make_token("suite/intensity", 42, v));
  EXPECT_EQ(t.seed, 42u);
  EXPECT_EQ(t.target, "suite/intensity");
  ASSERT_TRUE(t.choices.has_value());
  EXPECT_EQ(*t.choices, v);
  Token old = parse_token("otpsim1:abc:7:scenarios/x:y.toml");
  EXPECT_EQ(old.seed, 7u);
  EXPECT_EQ(old.target, "scenarios/x:y.toml");
  EXPECT_FALSE(old.choices.has_value());
  EXPECT_THROW(parse_token("otpsim2:abc:7:1.x:suite/a"), std::invalid_argument);
}

// A token is printed as one shell word: its `*` runs are globs, a scenario path may hold a quote.
TEST(Tokens, PrintedAsOneShellWord) {
  EXPECT_EQ(shell_quoted("otpsim2:b:1:0*3:suite/x"), "'otpsim2:b:1:0*3:suite/x'");
  EXPECT_EQ(shell_quoted("otpsim2:b:1:-:it's.toml"), "'otpsim2:b:1:-:it'\\''s.toml'");
}
