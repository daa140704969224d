#pragma once
// One run of a simulation test: a fresh world, the body as the test process, invariants after
// every step, swarm faults, the final checks, and a verdict. Liveness is part of the verdict:
// a world that goes quiet while the body still waits is a deadlock, one that never goes quiet
// within the step or virtual-time bound is a livelock.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <otpsim/sim/chooser.hpp>
#include <otpsim/testing/sim_test.hpp>

namespace otp::testing {

struct RunInput {
  uint64_t seed = 1;
  std::optional<std::vector<uint32_t>> script{};  // replay this stream instead of drawing
  sim::DecisionHook* strategy = nullptr;          // pct / dfs: the strategy schedules
  bool trace = false;                             // keep the trace (and its hash)
  std::ostream* trace_out = nullptr;              // and stream it here as it happens
};

enum class Verdict : uint8_t { passed, failed, deadlock, no_quiescence };
const char* to_string(Verdict v);

struct RunOutcome {
  Verdict verdict = Verdict::passed;
  std::vector<Failure> failures;   // a liveness verdict's report comes first
  std::vector<uint32_t> stream;    // every value drawn or chosen: the run's replay list
  std::string case_text;           // the swarm's fault plan and the body's notes
  uint64_t trace_hash = 0;         // with RunInput::trace
  std::vector<std::string> trace;  // with RunInput::trace
  uint64_t steps = 0;
  int64_t now_ms = 0;
  bool passed() const { return verdict == Verdict::passed; }
  // What makes two failures "the same" while shrinking: the verdict and the first failure's
  // place (file:line) or its first line.
  std::string key() const;
  std::string describe() const;  // every failure, one per line block
};

RunOutcome run_once(const TestDef& test, const RunInput& in);

}  // namespace otp::testing
