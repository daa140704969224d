// The machine's core-to-core latency right now: two threads hand one cache line back and
// forth; prints nanoseconds per round trip. On the 2-vCPU VM the benchmarks run on, this
// swings between ~70-130 ns and ~440-870 ns from one run to the next (where the host puts the
// two vCPUs), and every workload whose processes talk across the two workers moves with it.
// compare.sh prints it before each round, so a ratio can be read against the state it was
// measured in.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace {
alignas(64) std::atomic<long> turn{0};
}

int main() {
  if (std::thread::hardware_concurrency() < 2) {  // both spinners on one CPU: a time slice a trip
    std::puts("n/a");
    return 0;
  }
  constexpr long kTrips = 500'000;
  std::thread partner([] {
    for (long i = 0; i < kTrips; ++i) {
      while (turn.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      turn.store(2 * i + 2, std::memory_order_release);
    }
  });
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < kTrips; ++i) {
    turn.store(2 * i + 1, std::memory_order_release);
    while (turn.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  const auto end = std::chrono::steady_clock::now();
  partner.join();
  std::printf("%.0f\n", std::chrono::duration<double, std::nano>(end - start).count() / kTrips);
}
