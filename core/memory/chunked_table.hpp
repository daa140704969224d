#pragma once
// A table indexed by a growing id (a pid), in fixed chunks that never move: a lookup from any
// thread needs no lock while other threads add entries, and a chunk is allocated the first
// time one of its ids is used (whoever wins the race installs it). Entries are never freed
// before the table is: the node's process table and the rt executor's slots index it by a
// pid's slot (pid_index) and reuse an entry for the next process, so a table is as long as
// the most processes ever alive at once, not the number ever spawned.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace otp {

template <class T, size_t ChunkBits = 12, size_t MaxChunks = size_t{1} << 15>
class ChunkedTable {
 public:
  static constexpr size_t kChunkSize = size_t{1} << ChunkBits;
  static constexpr uint64_t kCapacity = uint64_t{kChunkSize} * MaxChunks;

  ChunkedTable() : chunks_(std::make_unique<std::array<std::atomic<T*>, MaxChunks>>()) {
    for (auto& c : *chunks_) c.store(nullptr, std::memory_order_relaxed);
  }
  ~ChunkedTable() {
    for (auto& c : *chunks_) delete[] c.load();
  }
  ChunkedTable(const ChunkedTable&) = delete;
  ChunkedTable& operator=(const ChunkedTable&) = delete;

  // The entry, or nullptr if its chunk was never allocated (or id is out of range).
  T* find(uint64_t id) const {
    size_t chunk = id >> ChunkBits;
    if (chunk >= MaxChunks) return nullptr;
    T* c = (*chunks_)[chunk].load(std::memory_order_acquire);
    return c ? &c[id & (kChunkSize - 1)] : nullptr;
  }
  // The entry, allocating its chunk if needed; nullptr only if id >= kCapacity.
  T* get(uint64_t id) {
    size_t chunk = id >> ChunkBits;
    if (chunk >= MaxChunks) return nullptr;
    T* c = (*chunks_)[chunk].load(std::memory_order_acquire);
    if (!c) [[unlikely]]
      c = install(chunk);
    return &c[id & (kChunkSize - 1)];
  }

 private:
  // Out of line, so that get() (on every message) inlines.
  [[gnu::noinline]] T* install(size_t chunk) {
    auto& cell = (*chunks_)[chunk];
    T* c = nullptr;
    T* fresh = new T[kChunkSize]();  // value-initialised: atomics start at nullptr/0
    if (cell.compare_exchange_strong(c, fresh, std::memory_order_acq_rel)) return fresh;
    delete[] fresh;  // another thread installed it first: c holds that chunk
    return c;
  }

  std::unique_ptr<std::array<std::atomic<T*>, MaxChunks>> chunks_;
};

}  // namespace otp
