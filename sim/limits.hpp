#pragma once
// Bounds on everything that enters from outside: scenario files, Erlang-term text and replay
// tokens. Each is checked where the input is read and reported as a clear error naming the
// bound (docs/scenarios.md "Limits" and docs/cli.md "Limits" list them). They are generous
// for real use but keep every load, parse and run bounded in time and memory.
#include <cstddef>
#include <cstdint>

namespace otp::sim::limits {

// --- scenario files ---
inline constexpr size_t kScenarioFileBytes = 1 << 20;  // 1 MiB
// A key path ([a.b.c] or a.b.c = ...) may have at most this many dots on one line (or in one
// value spanning lines): toml++ builds and destroys nested tables recursively, so a
// 100 000-part key overflows the stack.
inline constexpr int kTomlDotsPerLine = 64;
inline constexpr int kTreeDepth = 32;          // supervisor nesting below the root (root's children: depth 1)
inline constexpr int kTreeChildren = 1000;     // declared children, all levels together
inline constexpr int64_t kPoolSize = 1000;     // workers of one pool
inline constexpr int64_t kScenarioProcesses = 10'000;  // declared children + pool workers (+3 each) + chains
inline constexpr int64_t kMaxAttempts = 1000;  // pool: runs of one job
inline constexpr int64_t kMaxPending = 1'000'000;  // pool: queue bound (0 = unbounded)
inline constexpr int64_t kThreshold = 1'000'000;   // circuit breaker: failures before it opens
inline constexpr int64_t kMaxRestarts = 1'000'000; // supervisor intensity
inline constexpr int64_t kMaxSeconds = 1'000'000;  // supervisor period (1..10^6 s = 10^9 ms)
inline constexpr int64_t kDurationMs = 1'000'000'000;  // every *_ms, shutdown: 0..10^9 ms (about 11.6 days)
inline constexpr int64_t kChain = 64;          // expects_down_before_exit chain length
inline constexpr int kFaults = 1000;           // [[fault]] tables
inline constexpr int kJobs = 1000;             // [[job]] tables
inline constexpr int64_t kJobCount = 100'000;  // jobs of all [[job]] tables together (each count >= 1)
inline constexpr int kExpects = 1000;          // [[expect]] tables
inline constexpr int kInitFails = 1000;        // entries of init_fail, of restart_fail
inline constexpr int64_t kExpectCount = 1'000'000'000;  // starts = N
// One run of a scenario stops after this many scheduler steps (a failure: "the run did not
// reach run_ms"); with the bounds above it caps a run's time whatever the file says. The CLI
// streams the trace, so memory does not grow with it.
inline constexpr uint64_t kRunSteps = 20'000'000;

// --- Erlang-term text (reasons) ---
inline constexpr int kTermDepth = 100;         // nesting of {tuples} and [lists]
inline constexpr size_t kTermBytes = 64 * 1024;  // text of one term
inline constexpr size_t kAtomChars = 255;      // as in Erlang: atoms are at most 255 characters

// --- replay tokens ---
inline constexpr size_t kTokenBytes = 1 << 20;       // text of one token
inline constexpr uint64_t kTokenChoices = 10'000'000;  // choices after run-length expansion

}  // namespace otp::sim::limits
