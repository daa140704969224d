#pragma once
// W6's measure, for the simulator and rt benchmarks alike: heap bytes glibc has handed out,
// small blocks plus mmapped ones (the process tables' chunks are large), plus the block
// cache's region blocks that are out of its store (in use, or kept by a thread).
#include <malloc.h>

#include <cstddef>

#include <otpsim/core/memory/block_cache.hpp>

namespace otp::bench {

// The block cache's shared store gives its glibc blocks back first: blocks freed before (by
// other benchmarks) would otherwise serve new processes without showing as growth, and blocks
// freed meanwhile (spawn requests' inbox nodes) would count as the processes' memory. Its
// region blocks stay, and count as growth when they leave the store.
inline size_t heap_in_use() {
  block_cache::release_shared();
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd + block_cache::region_bytes_in_use();
}

}  // namespace otp::bench
