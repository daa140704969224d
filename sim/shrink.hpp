#pragma once
// Shrinking a failing decision or draw list: delete chunks, zero values, halve values, and
// keep any change after which the run still fails. Shorter lists, then smaller values, are
// simpler; a missing tail replays as zeros (the canonical choice), so cutting always works.
#include <cstdint>
#include <functional>
#include <vector>

namespace otp::sim {

struct ShrinkResult {
  std::vector<uint32_t> choices;
  uint64_t attempts = 0;
  uint64_t accepted = 0;
};

// `fails` runs the candidate and says whether it still fails. At most `max_attempts` runs.
ShrinkResult shrink_choices(std::vector<uint32_t> failing,
                            const std::function<bool(const std::vector<uint32_t>&)>& fails,
                            uint64_t max_attempts = 5000);

}  // namespace otp::sim
