// Simulation tests of a user's tree: runs per second of one core. The test starts a
// 10-process tree (a supervisor and 9 GenServers) under the test supervisor, calls every
// worker, kills one and waits for its restart; the tree is stopped when the body ends.
// Variants: no faults, swarm faults, and the PCT strategy (labels for every decision).
#include <benchmark/benchmark.h>

#include <otpsim/testing/check.hpp>

using namespace otp;
using namespace otp::testing;

namespace {

class Echo : public GenServer {
  Task<Result> handle_call(Process&, Message m, From) override { co_return Result::reply(std::move(m)); }
};

Task<void> ten_process_tree(SimTest& t) {
  Process& self = t.self();
  std::vector<ChildSpec> kids;
  for (int i = 0; i < 9; ++i) kids.push_back(worker_spec(atom("w" + std::to_string(i)), [] { return std::make_unique<Echo>(); }));
  t.pause_faults();
  Pid sup = co_await t.start_supervised(supervisor::supervisor_spec(atom("tree"), {.max_restarts = 100}, std::move(kids)));
  t.protect(sup);
  t.resume_faults();
  Term children = co_await supervisor::which_children(self, sup);
  for (const auto& c : children.items()) {
    if (!c[1].is_pid()) continue;
    try {
      co_await gen_server::call(self, c[1].pid(), atom("ping"));
    } catch (const Exit&) {  // a swarm fault took the worker down first
    }
  }
  Pid victim = children.items()[t.draw(9)][1].pid();
  self.exit(victim, reasons::kill());
  co_await self.sleep(1);
}

void run_many(benchmark::State& state, const Config& cfg) {
  TestDef def{"Bench.TenProcessTree", ten_process_tree, cfg};
  uint64_t seed = 1;
  for (auto _ : state) {
    RunOutcome o = run_once(def, {.seed = seed++});
    if (!o.passed()) state.SkipWithError(o.describe().c_str());
  }
  state.counters["runs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_SimTest_TenProcessTree(benchmark::State& state) { run_many(state, {}); }
void BM_SimTest_TenProcessTree_Swarm(benchmark::State& state) {
  run_many(state, {.faults = {.crash = true, .kill = true, .exit_signal = true, .max_faults = 2}});
}
// The runner's own loop (check): token-file line per run and the PCT strategy's labels.
void BM_SimTest_Check_Pct(benchmark::State& state) {
  TestDef def{"Bench.TenProcessTree", ten_process_tree, {.strategy = Search::pct, .runs = 1000}};
  for (auto _ : state) {
    CheckResult r = check(def, def.config);
    if (r.failed_at) state.SkipWithError("a run failed");
  }
  state.counters["runs/s"] = benchmark::Counter(1000.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_SimTest_TenProcessTree)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SimTest_TenProcessTree_Swarm)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SimTest_Check_Pct)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
