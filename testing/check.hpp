#pragma once
// Running a simulation test many times: random seeds, PCT or bounded DFS with sleep sets;
// the first failure is confirmed (replayed twice: same verdict, same trace hash), shrunk, and
// reported as a replay token.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <otpsim/sim/token.hpp>
#include <otpsim/testing/run_once.hpp>

namespace otp::testing {

struct CheckResult {
  uint64_t runs = 0;                    // runs made (this shard's)
  bool exhausted = false;               // dfs: the space within the bound was covered
  bool out_of_time = false;             // the time budget ended the runs early
  std::optional<uint64_t> failed_at;    // 1-based number of the first failing run
  uint64_t failing_seed = 0;
  RunOutcome found;                     // the failing run as found
  RunOutcome minimal;                   // after shrinking (as found, if not shrunk)
  std::vector<uint32_t> minimal_choices; // the shrunk list the token holds (a replay reads zeros past its end)
  std::string token;                    // replays `minimal`
  uint64_t shrink_runs = 0;
  bool reproducible = true;             // the token replays to the same failure and trace hash
  std::string not_reproducible_why;
  double seconds = 0;
};

// Called before each run with a line that reproduces it (written to the token file).
using BeforeRun = std::function<void(const std::string& how)>;

CheckResult check(const TestDef& test, const Config& config, const BeforeRun& before_run = {});

// The token target of a test: "test/<name>".
std::string test_target(const TestDef& test);
// Replays a token's stream (the library call for a debugger): the run, with its trace.
// std::invalid_argument if the token is malformed or names another test.
RunOutcome replay(const TestDef& test, const std::string& token, std::ostream* trace_out = nullptr);
// Why a simulation test's token from another build is not replayed ("" when it is this build's):
// its choices mean what that build's test made of them.
std::string other_build(const Token& t);
// The same, for the registered test the token names (OTPSIM_TEST registers every test).
RunOutcome replay(const std::string& token, std::ostream* trace_out = nullptr);
// Confirms a failing stream: replays it twice with traces; empty if both fail the same way
// with equal trace hashes, else why not.
std::string confirm(const TestDef& test, uint64_t seed, const std::vector<uint32_t>& stream, const std::string& key);
// The same, with the first replay (traced, from `stream`) already made.
std::string confirm_replay(const TestDef& test, uint64_t seed, const std::vector<uint32_t>& stream, const std::string& key,
                           const RunOutcome& first);

}  // namespace otp::testing
