// Simulator throughput: the peer workloads (shared/peer-bench, W1-W6) on the deterministic
// single-threaded simulator in virtual time. items/s = messages, spawns, calls or restarts.
// Tracing is off and exit reasons are not kept, as a production world would run.
#include <benchmark/benchmark.h>

#include <otpsim/bench/workloads.hpp>
#include <otpsim/bench/heap_in_use.hpp>
#include <otpsim/bench/tree_shapes.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

World* quiet_world(World& w) {
  w.node().set_record_exits(false);
  return &w;
}

// Runs one workload root on a fresh quiet world; returns the steps it took.
uint64_t run_sim(Body root) {
  World w({.seed = 1});
  quiet_world(w);
  w.spawn(std::move(root));
  return w.run().steps;
}

// Runs a fresh root from `make` each iteration and reports items/s (`items` an iteration) and the
// simulator's steps/s. Every workload reports the same counters: Google Benchmark's CSV reporter
// aborts on a counter missing from the first row it printed, and random interleaving
// (bench/compare.sh) prints the rows in any order.
template <class MakeRoot>
void run_and_report(benchmark::State& state, int64_t items, MakeRoot make) {
  uint64_t steps = 0;
  for (auto _ : state) steps += run_sim(make());
  state.SetItemsProcessed(state.iterations() * items);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

void BM_W1_PingPong(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w1_pingpong(state.range(0)); });
}
BENCHMARK(BM_W1_PingPong)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W2_SpawnExit(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w2_spawn_exit(state.range(0)); });
}
BENCHMARK(BM_W2_SpawnExit)->Arg(50'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W3_RestartStorm(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w3_restart_storm(state.range(0)); });
}
BENCHMARK(BM_W3_RestartStorm)->Arg(20'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W4_Call(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w4_call(state.range(0), 1); });
}
BENCHMARK(BM_W4_Call)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W4_Call100(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w4_call(state.range(0), 100); });
}
BENCHMARK(BM_W4_Call100)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W5_Pool(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w5_pool(state.range(0)); });
}
BENCHMARK(BM_W5_Pool)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W5_BarePool(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w5_bare_pool(state.range(0)); });
}
BENCHMARK(BM_W5_BarePool)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W5_PoolAsync(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w5_pool(state.range(0), true); });
}
BENCHMARK(BM_W5_PoolAsync)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// W7-W9 (items: messages, restarts, tasks), the peers' sizes.
void BM_W7_ParallelPairs(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w7_parallel_pairs(1'000, state.range(0) / 2'000); });
}
BENCHMARK(BM_W7_ParallelPairs)->Arg(2'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W8_ParallelStorms(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w8_parallel_storms(100, state.range(0) / 100); });
}
BENCHMARK(BM_W8_ParallelStorms)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W9_FanOutIn(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w9_fan_out_in(10, state.range(0) / 10); });
}
BENCHMARK(BM_W9_FanOutIn)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W9_BareFanOutIn(benchmark::State& state) {
  run_and_report(state, state.range(0), [&] { return bench::w9_bare_fan_out_in(10, state.range(0) / 10); });
}
BENCHMARK(BM_W9_BareFanOutIn)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// W6: heap bytes per idle process (100,000 processes blocked in receive), glibc's count of
// bytes in use before and after. Includes the process record, its coroutine frame and mailbox.
void BM_W6_BytesPerIdleProcess(benchmark::State& state) {
  const int64_t n = state.range(0);
  double per = 0;
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([](Process&) -> Proc { co_return; });  // warm the executor's tables
    w.run();
    size_t before = bench::heap_in_use();
    for (int64_t i = 0; i < n; ++i) w.spawn([](Process& self) -> Proc { co_await self.receive_any(); });
    w.run();
    size_t after = bench::heap_in_use();
    per = static_cast<double>(after - before) / static_cast<double>(n);
  }
  state.counters["bytes_per_process"] = per;
}
BENCHMARK(BM_W6_BytesPerIdleProcess)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Starting and stopping a tree: the time per process should not grow with the tree's depth or
// width (items = processes in the tree).
void BM_DeepTreeStartStop(benchmark::State& state) {
  run_and_report(state, (state.range(0) + 1), [&] { return bench::deep_tree(state.range(0)); });
}
BENCHMARK(BM_DeepTreeStartStop)->Arg(100)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WideTreeStartStop(benchmark::State& state) {
  run_and_report(state, (state.range(0) + 1), [&] { return bench::wide_tree(state.range(0)); });
}
BENCHMARK(BM_WideTreeStartStop)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
