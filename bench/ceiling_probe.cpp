// What a second core gives this machine for perfectly independent work, right now: a workload
// (W7 or W8) on one `RtWorld(1)` alone, then on two of them side by side in one process (no
// shared process, no message between them), and on one `RtWorld(2)`. Prints the three times and
// the two ratios a 2-thread figure should be read against (docs/scaling.md).
// Usage: otpsim_ceiling_probe [ROUNDS [w7|w8]]
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <otpsim/bench/workloads.hpp>
#include <otpsim/rt/rt_world.hpp>

using namespace otp;

namespace {

// W7: 1,000 pairs x 1,000 round trips; W8: 100 supervisors x 1,000 kill-and-wait restarts.
Body workload(bool w8) {
  return w8 ? bench::w8_parallel_storms(100, 1'000) : bench::w7_parallel_pairs(1'000, 1'000);
}

double run(unsigned threads, bool w8) {  // milliseconds
  auto t0 = std::chrono::steady_clock::now();
  {
    rt::RtWorld w(threads);
    w.node().set_record_exits(false);
    Pid p = w.spawn(workload(w8));
    if (!w.wait_exit(p, std::chrono::minutes(5))) std::abort();
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  long rounds = 5;
  bool w8 = false;
  if (argc > 3) {
    std::fprintf(stderr, "otpsim_ceiling_probe: two arguments at most (ROUNDS, w7|w8), got %d\n", argc - 1);
    return 2;
  }
  if (argc == 3) {
    if (std::strcmp(argv[2], "w8") == 0) {
      w8 = true;
    } else if (std::strcmp(argv[2], "w7") != 0) {
      std::fprintf(stderr, "otpsim_ceiling_probe: WORKLOAD must be w7 or w8, got '%s'\n", argv[2]);
      return 2;
    }
  }
  if (argc >= 2) {
    char* end = nullptr;
    errno = 0;
    rounds = std::strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || errno != 0 || rounds < 1 || rounds > 1000) {
      std::fprintf(stderr, "otpsim_ceiling_probe: ROUNDS must be an integer in 1..1000, got '%s'\n", argv[1]);
      return 2;
    }
  }
  std::printf("round  alone ms  side-by-side ms  RtWorld(2) ms | two worlds / one  RtWorld(2) / RtWorld(1)\n");
  for (long r = 1; r <= rounds; ++r) {
    double alone = run(1, w8);
    double a = 0, b = 0;
    std::thread other([&] { a = run(1, w8); });
    b = run(1, w8);
    other.join();
    double both = std::max(a, b);
    double two = run(2, w8);
    // Throughput ratios: two worlds do twice the work in `both`; RtWorld(2) does it once.
    std::printf("%5ld  %8.1f  %15.1f  %13.1f | %16.2f  %22.2f\n", r, alone, both, two, 2 * alone / both, alone / two);
  }
}
