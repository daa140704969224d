// explore --strategy dpor: traces per second on the programs of docs/testing.md's table —
// independent pairs (one trace), n senders to one receiver (n! traces), and the shipped
// one_for_all scenario — next to dfs with sleep sets on the same programs; and dpor on 1 and 2
// jobs sharing one tree (real time: the work is on the jobs' threads).
#include <benchmark/benchmark.h>

#include <otpsim/properties/explore_programs.hpp>
#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/world.hpp>
#include <otpsim/testing/parallel_dpor.hpp>

using namespace otp;
using namespace otp::sim;

namespace {

RunSchedule pairs(int k) { return properties::independent_pairs(k); }
RunSchedule senders(int n) { return properties::senders_to_one(n); }

// jobs = 0: sim::explore; else testing::explore_dpor_jobs.
void run_explore(benchmark::State& state, const RunSchedule& run, ExploreStrategy s, uint32_t bound, unsigned jobs = 0) {
  uint64_t schedules = 0, blocked = 0;
  bool exhausted = true;
  for (auto _ : state) {
    ExploreOptions o{.strategy = s, .bound = bound, .max_schedules = 2'000'000, .stop_at_first = false};
    ExploreResult r = jobs == 0 ? explore(run, o) : otp::testing::explore_dpor_jobs(run, o, jobs);
    schedules += r.schedules;
    blocked += r.blocked;
    exhausted = exhausted && r.exhausted;
  }
  state.counters["schedules"] = static_cast<double>(schedules) / static_cast<double>(state.iterations());
  state.counters["blocked"] = static_cast<double>(blocked) / static_cast<double>(state.iterations());
  state.counters["schedules/s"] = benchmark::Counter(static_cast<double>(schedules), benchmark::Counter::kIsRate);
  if (!exhausted) state.SkipWithError("not exhausted");
}

void BM_Dpor_IndependentPairs(benchmark::State& state) { run_explore(state, pairs(static_cast<int>(state.range(0))), ExploreStrategy::dpor, kUnbounded); }
void BM_Dpor_SendersToOne(benchmark::State& state) { run_explore(state, senders(static_cast<int>(state.range(0))), ExploreStrategy::dpor, kUnbounded); }
void BM_DfsSleepSets_SendersToOne(benchmark::State& state) { run_explore(state, senders(static_cast<int>(state.range(0))), ExploreStrategy::dfs, 64); }
void BM_DfsSleepSets_IndependentPairs(benchmark::State& state) { run_explore(state, pairs(static_cast<int>(state.range(0))), ExploreStrategy::dfs, 64); }
void BM_Dpor_SendersToOne_Jobs(benchmark::State& state) {
  run_explore(state, senders(static_cast<int>(state.range(0))), ExploreStrategy::dpor, kUnbounded, static_cast<unsigned>(state.range(1)));
}
void one_for_all(benchmark::State& state, unsigned jobs) {
  Scenario s = load_scenario(std::string(OTPSIM_SOURCE_DIR) + "/scenarios/explore/one_for_all_two_crashes.toml");
  RunSchedule run = [&s](DecisionHook* h, uint64_t seed) {
    ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = seed, .hook = h});
    return ScheduleRun{o.failures, {}};
  };
  run_explore(state, run, ExploreStrategy::dpor, kUnbounded, jobs);
}
void BM_Dpor_OneForAllTwoCrashes(benchmark::State& state) { one_for_all(state, 0); }
// The same program as Concuerror's (docs/testing.md): one_for_all, two children sent `crash`.
void BM_Dpor_OneForAllKilledTwice(benchmark::State& state) {
  run_explore(state, properties::one_for_all_killed_twice(), ExploreStrategy::dpor, kUnbounded);
}
void BM_DfsSleepSets_OneForAllKilledTwice(benchmark::State& state) {
  run_explore(state, properties::one_for_all_killed_twice(), ExploreStrategy::dfs, static_cast<uint32_t>(state.range(0)));
}
void BM_Dpor_OneForAllTwoCrashes_Jobs(benchmark::State& state) { one_for_all(state, static_cast<unsigned>(state.range(0))); }

}  // namespace

BENCHMARK(BM_Dpor_IndependentPairs)->Arg(2)->Arg(3)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DfsSleepSets_IndependentPairs)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dpor_SendersToOne)->DenseRange(2, 7)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DfsSleepSets_SendersToOne)->DenseRange(2, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dpor_OneForAllTwoCrashes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dpor_OneForAllKilledTwice)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DfsSleepSets_OneForAllKilledTwice)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dpor_SendersToOne_Jobs)->Args({7, 1})->Args({7, 2})->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dpor_OneForAllTwoCrashes_Jobs)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
