// The GoogleTest side of a simulation test, without GoogleTest: gtest.hpp turns the report
// into assertion failures, skips and output.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <fstream>
#include <stdexcept>

#include <otpsim/sim/token.hpp>
#include <otpsim/sim/story.hpp>
#include <otpsim/testing/check.hpp>
#include <otpsim/testing/env.hpp>
#include <otpsim/testing/gtest_report.hpp>
#include <otpsim/testing/registry.hpp>

namespace otp::testing {

namespace {


GtestReport replay_from_env(const Entry& self, const std::string& text, const std::string& program) {
  using O = GtestReport::Outcome;
  Token t;
  try {
    t = parse_token(text);
  } catch (const std::invalid_argument& e) {
    return {O::error, std::string("OTPSIM_REPLAY: ") + e.what(), {}};
  }
  if (!t.is_test())
    return {O::error, "OTPSIM_REPLAY holds a token for " + t.target + ", not for a simulation test (replay it with `otpsim replay`)", {}};
  const Entry* e = registry().find(t.test());
  if (!e || !e->test)
    return {O::error, "OTPSIM_REPLAY names test '" + t.test() + "', which this program does not have; its tests: " +
                          fmt::format("{}", fmt::join(registry().names(Entry::Kind::test), ", ")), {}};
  if (e != &self) return {O::skipped, "OTPSIM_REPLAY replays " + t.test() + ", not this test", {}};
  if (std::string why = other_build(t); !why.empty()) return {O::error, "OTPSIM_REPLAY: " + why, {}};
  std::ofstream trace_file;
  if (auto path = env("OTPSIM_TRACE")) {
    trace_file.open(*path);
    if (!trace_file) return {O::error, "OTPSIM_TRACE: cannot write '" + *path + "'", {}};
  }
  RunOutcome o = run_once(*self.test, {.seed = t.seed,
                                       .script = t.choices.value_or(std::vector<uint32_t>{}),
                                       .trace = true,
                                       .trace_out = trace_file.is_open() ? &trace_file : nullptr});
  std::string msg = fmt::format("otpsim: replayed {} ({}): {} steps, {} ms of virtual time, trace hash {:016x}{}\n", self.name,
                                to_string(o.verdict), o.steps, o.now_ms, o.trace_hash,
                                trace_file.is_open() ? ", trace in " + *env("OTPSIM_TRACE") : std::string());
  if (!o.case_text.empty()) msg += "  case: " + o.case_text + "\n";
  (void)program;
  if (o.passed()) return {O::passed, msg, {}};
  return {O::failed, msg, o.failures};
}

}  // namespace

GtestReport run_for_gtest(const std::string& name, const std::string& program) {
  using O = GtestReport::Outcome;
  const Entry* e = registry().find(name);
  if (!e || !e->test) return {O::error, "no simulation test named '" + name + "' is registered", {}};
  if (auto text = env("OTPSIM_REPLAY")) return replay_from_env(*e, *text, program);
  Config c;
  try {
    c = apply_env(e->test->config);
  } catch (const std::invalid_argument& x) {
    return {O::error, x.what(), {}};
  }
  std::string path = env("OTPSIM_TOKEN_FILE").value_or("otpsim-last-token.txt");
  std::unique_ptr<TokenFile> file;
  try {
    file = std::make_unique<TokenFile>(path);
  } catch (const std::invalid_argument& x) {
    return {O::error, std::string("OTPSIM_TOKEN_FILE: ") + x.what(), {}};
  }
  std::string filter = " " + program + " --gtest_filter=" + name;
  CheckResult r = check(*e->test, c, [&](const std::string& how) {
    file->write(how.rfind("otpsim", 0) == 0 ? "OTPSIM_REPLAY=" + shell_quoted(how) + filter : how);
  });
  std::string plan = fmt::format("{} {} run(s) from seed {}{}", r.failed_at ? c.runs : r.runs, to_string(c.strategy), c.seed,
                                 c.shard_count > 1 ? fmt::format(", shard {}/{}", c.shard_index, c.shard_count) : std::string());
  if (!r.failed_at) {
    std::string msg = fmt::format("otpsim: {}: {} passed{}{}\n", name, plan,
                                  r.exhausted ? " (the space within the bound is exhausted)" : "",
                                  r.out_of_time ? fmt::format(" (the time budget of {} ms ended the runs)", c.time_budget_ms) : "");
    return {O::passed, msg, {}};
  }
  const Failure& first = r.found.failures.front();
  std::string where = first.file.empty() ? "" : fmt::format("{}:{}: ", first.file.substr(first.file.rfind('/') + 1), first.line);
  // The headline: where, and the message's first lines (GoogleTest's own report is above).
  std::string text = first.message;
  for (int lines = 0, i = 0; i < static_cast<int>(text.size()); ++i)
    if (text[static_cast<size_t>(i)] == '\n' && ++lines == 3) text.resize(static_cast<size_t>(i));
  for (char& c : text)
    if (c == '\n') c = ' ';
  std::string verdict = to_string(r.found.verdict);
  std::string prefix = text.rfind(verdict, 0) == 0 ? "" : verdict + ": ";  // liveness reports start with their verdict
  std::string msg = fmt::format("otpsim: {} failed at run {} of {}: {}{}{}\n", name, *r.failed_at, plan, prefix, where, text);
  if (!r.reproducible) {
    msg += "  not reproducible: uncontrolled nondeterminism (" + r.not_reproducible_why +
           "); no token is printed, since it would not replay this failure. Something in the test reads a clock, a thread, "
           "an address or an unseeded random source.\n";
    return {O::failed, msg, r.found.failures};
  }
  if (!r.minimal.case_text.empty()) msg += "  minimal case: " + r.minimal.case_text + "\n";
  if (c.shrink)
    msg += fmt::format("  shrunk: {} -> {} choices in {} runs\n", r.found.stream.size(), r.minimal_choices.size(), r.shrink_runs);
  msg += fmt::format("  confirmed: two replays fail the same way with trace hash {:016x}\n", r.minimal.trace_hash);
  if (auto told = sim::last_told(r.minimal.trace, 12, {.top_name = "test"}); !told.empty()) {
    msg += "  what happened (the minimal run's last events):\n";
    for (const auto& l : told) msg += "  " + l + "\n";
  }
  msg += "  replay:  OTPSIM_REPLAY=" + shell_quoted(r.token) + filter + "\n";
  msg += "      or:  " + program + " replay " + shell_quoted(r.token) + "   (a binary linked with otpsim::testing_main)\n";
  msg += "      or:  otp::testing::replay(\"" + r.token + "\")   (under a debugger)\n";
  file->write("OTPSIM_REPLAY=" + shell_quoted(r.token) + filter);
  return {O::failed, msg, r.minimal.failures};
}

}  // namespace otp::testing
