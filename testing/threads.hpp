#pragma once
// Worker threads for the runner's jobs (each world stays single-threaded).
#include <functional>

namespace otp::testing {

// Starts `n` threads running body(j); a thread the system refuses (std::system_error: too
// many threads, no address space for a stack; or std::bad_alloc) runs on this thread after the
// others started, so the work is done either way and nothing aborts.
void run_on_threads(unsigned n, const std::function<void(unsigned)>& body);

}  // namespace otp::testing
