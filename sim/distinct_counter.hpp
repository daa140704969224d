#pragma once
// How many distinct 64-bit hashes were seen, in bounded memory: exactly up to kExact of them,
// then as a HyperLogLog estimate (2^14 one-byte registers, ~0.8 % standard error). An
// exploration runs up to 10^7 schedules, each with its own decision list: a set of all their
// hashes grew by ~43 bytes a schedule and was the only thing an exploration kept that grew with
// its length.
#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace otp::sim {

class DistinctCounter {
 public:
  static constexpr size_t kExact = size_t{1} << 17;  // ~5 MB of set at most
  static constexpr unsigned kIndexBits = 14;
  static constexpr size_t kRegisters = size_t{1} << kIndexBits;

  void insert(uint64_t h) {
    if (sketch_.empty()) {
      exact_.insert(h);
      if (exact_.size() > kExact) to_sketch();
    } else {
      add(h);
    }
  }

  // The union's count: a hash both saw counts once (exactly while the union stays small).
  void merge(const DistinctCounter& o) {
    if (sketch_.empty() && o.sketch_.empty()) {
      exact_.insert(o.exact_.begin(), o.exact_.end());
      if (exact_.size() > kExact) to_sketch();
      return;
    }
    if (sketch_.empty()) to_sketch();
    if (o.sketch_.empty()) {
      for (uint64_t h : o.exact_) add(h);
    } else {
      for (size_t i = 0; i < kRegisters; ++i) sketch_[i] = std::max(sketch_[i], o.sketch_[i]);
    }
  }

  bool estimated() const { return !sketch_.empty(); }

  uint64_t count() const {
    if (sketch_.empty()) return exact_.size();
    // Flajolet et al.'s estimate, with linear counting while registers are still empty (not
    // reached from kExact = 8 hashes a register, where the raw estimate's bias is under 1 %).
    const double m = static_cast<double>(kRegisters);
    double z = 0;
    size_t zeros = 0;
    for (uint8_t r : sketch_) {
      z += std::ldexp(1.0, -static_cast<int>(r));
      zeros += r == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / z;
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
    return static_cast<uint64_t>(std::llround(e));
  }

 private:
  // splitmix64's finalizer: decision-list hashes are FNV-1a, whose high bits alone are not
  // uniform enough to pick a register.
  static uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  void add(uint64_t h) {
    uint64_t x = mix(h);
    size_t i = static_cast<size_t>(x >> (64 - kIndexBits));
    uint64_t rest = x << kIndexBits;
    auto rank = static_cast<uint8_t>(rest == 0 ? 64 - kIndexBits + 1 : std::countl_zero(rest) + 1);
    sketch_[i] = std::max(sketch_[i], rank);
  }
  void to_sketch() {
    assert(sketch_.empty());
    sketch_.assign(kRegisters, 0);
    for (uint64_t h : exact_) add(h);
    std::unordered_set<uint64_t>().swap(exact_);  // (clear() would keep the buckets)
  }

  std::unordered_set<uint64_t> exact_;
  std::vector<uint8_t> sketch_;  // empty while counting exactly
};

}  // namespace otp::sim
