#pragma once
// How a simulation test is run: strategy, budget, faults. Every field has a bound
// (docs/testing-your-code.md "Limits"); the OTPSIM_* environment overrides some (env.hpp).
#include <cstdint>
#include <string>

namespace otp::testing {

enum class Search : uint8_t { random, pct, dfs, dpor };
const char* to_string(Search s);

// Swarm fault injection: each run draws, from its own stream, which kinds of fault it injects
// and how many, so some runs have none, some crash often, some only delay timers. Faults hit
// the test's processes (never the test process, the test supervisor, or protected pids).
struct Faults {
  bool crash = false;            // a process dies at once with reason {injected_crash, N}
  bool kill = false;             // exit(Pid, kill): untrappable, reason killed
  bool exit_signal = false;      // exit(Pid, R) with R from normal, shutdown, {shutdown, injected}, injected
  uint32_t max_faults = 4;       // per run: a run injects 0..this many (1..64)
  uint32_t max_gap_steps = 200;  // steps before each fault: drawn in 1..this (1..1,000,000)
  uint32_t max_timer_delay_ms = 0;        // timers fire up to this late, a run draws its own bound (0..60,000)
  uint32_t fault_point_per_million = 0;   // named fault points fire at a rate a run draws in 0..this (0..1,000,000)
  bool any() const { return crash || kill || exit_signal || max_timer_delay_ms > 0 || fault_point_per_million > 0; }
  // All of the above at their defaults, with fault points at 5 % and timer delays up to 50 ms.
  static Faults swarm() { return {true, true, true, 4, 200, 50, 50'000}; }
};

struct Config {
  Search strategy = Search::random;
  uint64_t runs = 1000;             // runs (random) or schedules (pct, dfs, dpor): 1..10,000,000
  uint64_t seed = 1;                // the first run's seed; run i uses seed + i
  uint32_t bound = 2;               // pct: bug depth d; dfs: delay bound K (0..64); dpor: unused (exhaustive)
  uint64_t time_budget_ms = 0;      // stop starting runs after this much wall time; 0: no limit
  uint64_t max_steps = 1'000'000;   // per run; more is a liveness failure (1..50,000,000)
  int64_t max_time_ms = 86'400'000; // virtual ms per run; more is a liveness failure (1..10^9)
  Faults faults{};
  bool shrink = true;               // shrink a failure before reporting it
  uint64_t shard_index = 0, shard_count = 1;  // run only runs i with i % count == index
};

// Throws std::invalid_argument naming the field and its bound.
void validate(const Config& c);

}  // namespace otp::testing
