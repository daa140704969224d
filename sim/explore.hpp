#pragma once
// Systematic schedule exploration: the Chooser's decision points as a search space.
//  - random: each schedule from its own seed (the baseline);
//  - pct: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random process
//    priorities, d-1 random priority change points; a bug of depth d is found with probability
//    >= 1/(n k^(d-1)) per schedule (n processes, k steps);
//  - dfs: depth-first over decision lists with a delay bound K (at most K choices that differ
//    from the canonical first option), with sleep sets (partial-order reduction): signals to
//    different processes commute, so their orders are not all explored;
//  - dpor: source-DPOR over happens-before (sim/dpor.hpp): one schedule per
//    Mazurkiewicz trace in the common case; unbounded (bound = kUnbounded) or delay-bounded.
// Every schedule is one run of `run` with a DecisionHook; a run that fails yields its decision
// list, which replays it exactly (Chooser script) and is shrunk before it is reported.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <otpsim/sim/chooser.hpp>
#include <otpsim/sim/coverage.hpp>

namespace otp::sim {

enum class ExploreStrategy : uint8_t { random, pct, dfs, dpor };
const char* to_string(ExploreStrategy s);

inline constexpr uint32_t kUnbounded = UINT32_MAX;

struct ExploreOptions {
  ExploreStrategy strategy = ExploreStrategy::pct;
  uint32_t bound = 2;              // dfs, dpor: delay bound K (dpor: kUnbounded for exhaustive); pct: bug depth d
  uint64_t max_schedules = 10'000;
  uint64_t seed = 1;
  // random, pct: this call runs schedules first, first + stride, ... of the stream (schedule n
  // from seed + n; pct's probe run from the seed alone). Jobs that split one exploration take
  // first = j, stride = jobs: together they run the schedules one job would, none twice.
  uint64_t first = 0;
  uint64_t stride = 1;
  bool sleep_sets = true;          // dfs: partial-order reduction
  bool stop_at_first = true;
};

// One schedule: run the target with this hook (nullptr = seeded random run with `seed`);
// returns its failures (empty = passed) and the recorded decision list.
struct ScheduleRun {
  std::vector<std::string> failures;
  std::vector<uint32_t> decisions;
  // The run was stopped before its end (a time budget): neither passed nor failed, it is not
  // counted, and the exploration ends with it.
  bool cut = false;
};
using RunSchedule = std::function<ScheduleRun(DecisionHook* hook, uint64_t seed)>;

struct ExploreResult {
  uint64_t schedules = 0;
  uint64_t distinct_schedules = 0;  // distinct decision lists
  bool distinct_estimated = false;  // past DistinctCounter::kExact, distinct_schedules is an estimate (~0.8 %)
  uint64_t actor_decisions = 0;     // distinct (process, decision point, option kind) pairs chosen
  uint64_t max_depth = 0;           // most decisions in one schedule
  uint64_t pruned = 0;              // dfs: branches skipped by sleep sets
  uint64_t races = 0;               // dpor: races found (each may add a backtrack point)
  uint64_t blocked = 0;             // dpor: schedules cut because every enabled step was asleep
  bool exhausted = false;           // dfs, dpor: the whole space (within the bound) was explored
  bool cut = false;                 // a schedule was cut (ScheduleRun::cut): the exploration stopped there
  bool too_big = false;             // dpor: a schedule outgrew DporHook::kMaxClockEntries: the exploration stopped there
  std::optional<uint64_t> first_failure_at;  // schedule number (1-based) of the first failure
  uint64_t failing_seed = 0;        // the seed the failing schedule ran with
  std::vector<std::string> failures;
  std::vector<uint32_t> failing_decisions;
  // The sets behind distinct_schedules and actor_decisions, so that explorations split over
  // jobs can report the figures of their union (not a sum that counts a schedule once per job).
  Coverage coverage;
};

// Sets r's distinct_schedules (and whether it is an estimate) from c's counter.
inline void set_distinct(ExploreResult& r, const Coverage& c) {
  r.distinct_schedules = c.schedules.count();
  r.distinct_estimated = c.schedules.estimated();
}

// `progress` is called now and then with the result so far.
ExploreResult explore(const RunSchedule& run, const ExploreOptions& opts,
                      const std::function<void(const ExploreResult&)>& progress = {});

// Whether two steps commute (sleep sets): deliveries to different processes do.
bool independent(const OptionLabel& a, const OptionLabel& b);

}  // namespace otp::sim
