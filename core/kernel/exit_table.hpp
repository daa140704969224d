#pragma once
// The exit reasons of the last `capacity` processes to exit, oldest forgotten first (Node's
// exit records). A ring of (pid id, reason) and an open-addressing index of it (linear
// probing, deletion by backward shift): once full, recording an exit allocates nothing, so
// a node that runs for months keeps a fixed amount of memory for them. Both grow only as far
// as they are used: a short-lived world with a few exits stays small. Not thread-safe: the
// Node locks around it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <otpsim/core/kernel/term.hpp>

namespace otp {

class ExitTable {
 public:
  explicit ExitTable(size_t capacity) : capacity_(capacity) {}

  size_t capacity() const { return capacity_; }
  size_t size() const { return ring_.size(); }
  uint64_t forgotten() const { return forgotten_; }

  // Keeps the newest `capacity` records.
  void set_capacity(size_t capacity) {
    std::vector<Entry> kept;
    size_t n = ring_.size();
    size_t keep = n < capacity ? n : capacity;
    kept.reserve(keep);
    for (size_t i = n - keep; i < n; ++i) kept.push_back(std::move(ring_[(head_ + i) % n]));
    forgotten_ += n - keep;
    ring_ = std::move(kept);
    head_ = 0;
    capacity_ = capacity;
    rebuild(index_size_for(ring_.size()));
  }

  void record(uint64_t id, Term reason) {
    if (capacity_ == 0) return;
    if (ring_.size() < capacity_) {
      if (2 * (ring_.size() + 1) > index_.size()) rebuild(index_size_for(ring_.size() + 1));
      ring_.push_back({id, std::move(reason)});
      insert(static_cast<uint32_t>(ring_.size() - 1));
      return;
    }
    // Full: the oldest record (at head_) makes room.
    erase(ring_[head_].id);
    ring_[head_] = {id, std::move(reason)};
    insert(static_cast<uint32_t>(head_));
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    ++forgotten_;
  }

  const Term* find(uint64_t id) const {
    if (index_.empty()) return nullptr;
    for (size_t i = home(id);; i = (i + 1) & mask_) {
      uint32_t pos = index_[i];
      if (pos == kEmpty) return nullptr;
      if (ring_[pos].id == id) return &ring_[pos].reason;
    }
  }

 private:
  struct Entry {
    uint64_t id;
    Term reason;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;

  static size_t index_size_for(size_t entries) {
    size_t n = 16;
    while (n < 2 * entries) n *= 2;
    return n;
  }
  size_t home(uint64_t id) const { return static_cast<size_t>((id * 0x9E3779B97F4A7C15ull) >> 32) & mask_; }

  void rebuild(size_t slots) {
    index_.assign(slots, kEmpty);
    mask_ = slots - 1;
    for (size_t pos = 0; pos < ring_.size(); ++pos) insert(static_cast<uint32_t>(pos));
  }
  void insert(uint32_t pos) {
    size_t i = home(ring_[pos].id);
    while (index_[i] != kEmpty) i = (i + 1) & mask_;
    index_[i] = pos;
  }
  // Removes id's slot and shifts back the entries probed past it, so no search stops early.
  void erase(uint64_t id) {
    size_t i = home(id);
    for (;; i = (i + 1) & mask_) {
      if (index_[i] == kEmpty) return;
      if (ring_[index_[i]].id == id) break;
    }
    for (size_t j = (i + 1) & mask_; index_[j] != kEmpty; j = (j + 1) & mask_) {
      size_t k = home(ring_[index_[j]].id);
      // Move j's entry into the hole at i unless its home lies cyclically in (i, j].
      bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      index_[i] = index_[j];
      i = j;
    }
    index_[i] = kEmpty;
  }

  size_t capacity_;
  std::vector<Entry> ring_;  // oldest at head_ once full
  size_t head_ = 0;
  std::vector<uint32_t> index_;  // ring positions, kEmpty for none; a power of two long
  size_t mask_ = 0;
  uint64_t forgotten_ = 0;
};

}  // namespace otp
