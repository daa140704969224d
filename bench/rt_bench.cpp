// rt throughput: the same workloads (bench/workloads.hpp) on the multithreaded executor, with
// 1 thread and with 2 (this machine's cores). items/s = messages, spawns, restarts, calls, jobs.
#include <benchmark/benchmark.h>

#include <otpsim/bench/workloads.hpp>
#include <otpsim/bench/heap_in_use.hpp>
#include <otpsim/rt/rt_world.hpp>

using namespace otp;

namespace {

void run_rt(unsigned threads, Body root) {
  rt::RtWorld w(threads);
  w.node().set_record_exits(false);
  Pid p = w.spawn(std::move(root));
  if (!w.wait_exit(p, std::chrono::minutes(5))) std::abort();
}

#define RT_BENCH(NAME, BODY, N)                                                        \
  void NAME(benchmark::State& state) {                                                 \
    for (auto _ : state) run_rt(static_cast<unsigned>(state.range(1)), BODY);        \
    state.SetItemsProcessed(state.iterations() * state.range(0));                      \
  }                                                                                    \
  BENCHMARK(NAME)->Args({N, 1})->Args({N, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

RT_BENCH(BM_RT_W1_PingPong, bench::w1_pingpong(state.range(0)), 200'000)
RT_BENCH(BM_RT_W2_SpawnExit, bench::w2_spawn_exit(state.range(0)), 50'000)
RT_BENCH(BM_RT_W3_RestartStorm, bench::w3_restart_storm(state.range(0)), 20'000)
RT_BENCH(BM_RT_W4_Call, bench::w4_call(state.range(0), 1), 100'000)
RT_BENCH(BM_RT_W4_Call100, bench::w4_call(state.range(0), 100), 100'000)
RT_BENCH(BM_RT_W5_Pool, bench::w5_pool(state.range(0)), 200'000)
RT_BENCH(BM_RT_W5_BarePool, bench::w5_bare_pool(state.range(0)), 200'000)
RT_BENCH(BM_RT_W5_PoolAsync, bench::w5_pool(state.range(0), true), 200'000)
// W7-W9 (items: messages, restarts, tasks), the peers' sizes.
RT_BENCH(BM_RT_W7_ParallelPairs, bench::w7_parallel_pairs(1'000, state.range(0) / 2'000), 2'000'000)
RT_BENCH(BM_RT_W8_ParallelStorms, bench::w8_parallel_storms(100, state.range(0) / 100), 100'000)
RT_BENCH(BM_RT_W9_FanOutIn, bench::w9_fan_out_in(10, state.range(0) / 10), 100'000)
RT_BENCH(BM_RT_W9_BareFanOutIn, bench::w9_bare_fan_out_in(10, state.range(0) / 10), 100'000)

// W6 on rt: heap bytes per idle process, including the executor's per-process slot.
void BM_RT_W6_BytesPerIdleProcess(benchmark::State& state) {
  const int64_t n = state.range(0);
  double per = 0;
  for (auto _ : state) {
    rt::RtWorld w(1);
    w.node().set_record_exits(false);
    w.spawn([](Process&) -> Proc { co_return; });
    w.wait_idle();
    size_t before = bench::heap_in_use();
    for (int64_t i = 0; i < n; ++i) w.spawn([](Process& self) -> Proc { co_await self.receive_any(); });
    w.wait_idle();
    per = static_cast<double>(bench::heap_in_use() - before) / static_cast<double>(n);
  }
  state.counters["bytes_per_process"] = per;
}
BENCHMARK(BM_RT_W6_BytesPerIdleProcess)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
