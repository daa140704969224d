#include <otpsim/rt/asymmetric_fence.hpp>

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace otp::rt {

std::atomic<bool> detail::g_membarrier{false};

void prepare_asymmetric_fences() {
  static std::once_flag once;
  std::call_once(once, [] {
    const long cmds = ::syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    detail::g_membarrier.store(cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
                               ::syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0,
                               std::memory_order_relaxed);
  });
}

void heavy_fence() {
  if (!detail::g_membarrier.load(std::memory_order_relaxed)) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return;
  }
  // Once registered, the exits pay only a compiler barrier: a seq_cst fence here would not
  // pair with it, so a failed call cannot fall back to one. Linux fails a registered private
  // expedited call only for a bad argument: a broken invariant, not a condition to handle.
  if (::syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
    std::fprintf(stderr, "otpsim: membarrier(PRIVATE_EXPEDITED) failed after registration: %s\n",
                 std::strerror(errno));
    std::abort();
  }
}

}  // namespace otp::rt
