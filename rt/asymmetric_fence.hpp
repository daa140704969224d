#pragma once
// A pair of fences for a Dekker-style handshake where one side runs on every message or exit
// and the other rarely (a thread about to wait): the frequent side pays only a compiler
// barrier, the rare side a membarrier(2) that makes every running thread of the process
// execute a full barrier. A seq_cst fence on every exit cost W2 (spawn and exit) a fifth of
// its time on this AMD VM: MFENCE waits for the store buffer of a process's teardown to drain.
// Where the kernel lacks membarrier's private expedited command, both sides take the seq_cst
// fence, as before.
#include <atomic>

namespace otp::rt {

namespace detail {
// Set once, by prepare_asymmetric_fences(), before the first executor's threads start.
extern std::atomic<bool> g_membarrier;
}  // namespace detail

// Registers the process for membarrier once; the executor calls it before starting threads.
void prepare_asymmetric_fences();

// The frequent side: orders this thread's earlier stores before its later loads as seen by a
// thread that calls heavy_fence().
inline void light_fence() {
  if (detail::g_membarrier.load(std::memory_order_relaxed)) std::atomic_signal_fence(std::memory_order_seq_cst);
  else std::atomic_thread_fence(std::memory_order_seq_cst);
}

// The rare side.
void heavy_fence();

}  // namespace otp::rt
