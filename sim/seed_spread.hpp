#pragma once
// Does the seed matter? Over many seeds of one target, the choice lists (a suite's draws, a
// scenario's decisions) must not all be the same when there were choices to make: a Chooser
// or PRNG that ignored its seed would otherwise run one schedule N times and report N passes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace otp::sim {

class SeedSpread {
 public:
  // Judged only from this many seeds on: one binary decision gives the same list on two seeds
  // half the time, on 20 seeds once in 2^19.
  static constexpr size_t kMinSeeds = 20;

  void add(const std::vector<uint32_t>& choices) {
    ++runs_;
    if (choices.empty()) return;
    if (!first_) first_ = choices;
    else if (*first_ != choices) varied_ = true;
    ++with_choices_;
  }
  // nullopt when fine; else why the seeds look ignored.
  std::optional<std::string> verdict() const {
    if (varied_ || with_choices_ < kMinSeeds || with_choices_ != runs_) return std::nullopt;
    return "seed-insensitive: " + std::to_string(runs_) + " seeds made the same " + std::to_string(first_->size()) +
           " choices every time (a PRNG or Chooser that ignores its seed?)";
  }

 private:
  size_t runs_ = 0, with_choices_ = 0;
  bool varied_ = false;
  std::optional<std::vector<uint32_t>> first_;
};

}  // namespace otp::sim
