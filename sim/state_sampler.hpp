#pragma once
// The states explore fingerprints to count distinct ones. A fingerprint reads every process
// slot, channel and timer, so one taken at every step makes a long schedule of a big world cost
// steps x size. The sampler takes every step's while the world is small (up to kPerStep of
// them), and in a bigger one only as often as kPerStep per step pays for: fingerprinting then
// costs at most about kPerStep per step however big the world grows.
#include <cstdint>
#include <vector>

#include <otpsim/sim/sim_executor.hpp>

namespace otp::sim {

class StateSampler {
 public:
  static constexpr uint64_t kPerStep = 256;  // slots, channels and timers read per step, on average

  void step(const SimExecutor& e) {
    credit_ += kPerStep;
    uint64_t cost = e.fingerprint_cost();
    if (cost > credit_) return;
    credit_ -= cost;
    seen_.push_back(e.fingerprint());
  }
  const std::vector<uint64_t>& seen() const { return seen_; }

 private:
  uint64_t credit_ = 0;
  std::vector<uint64_t> seen_;
};

}  // namespace otp::sim
