#pragma once
// Asks the CPU to start loading an object that will be read soon. Queues that a flood fills
// (a mailbox, a dispatcher's pending jobs) are read back long after they were written, by then
// out of cache: the next entry is fetched while the current one is handled.
#include <cstddef>
#include <cstdint>

namespace otp {

inline void prefetch(const void* p, size_t bytes) {
  constexpr size_t kLine = 64;
  const auto first = reinterpret_cast<uintptr_t>(p) & ~(kLine - 1);
  const auto end = reinterpret_cast<uintptr_t>(p) + bytes;
  for (uintptr_t a = first; a < end; a += kLine) __builtin_prefetch(reinterpret_cast<const void*>(a));
}

}  // namespace otp
