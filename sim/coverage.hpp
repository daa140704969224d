#pragma once
// What explore reports about coverage, kept by every way of running schedules.
#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include <otpsim/sim/chooser.hpp>
#include <otpsim/sim/distinct_counter.hpp>

namespace otp::sim {

inline uint64_t hash_decisions(const std::vector<uint32_t>& v) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t x : v) h = (h ^ x) * 1099511628211ull;
  return h ^ v.size();
}

// Coverage figures of an exploration: distinct decision lists, (process, decision point, option kind) pairs.
struct Coverage {
  DistinctCounter schedules;  // of decision-list hashes: exact up to DistinctCounter::kExact, then estimated
  std::set<std::tuple<uint64_t, uint8_t, uint8_t>> actor_decisions;
  void note(DecisionPoint p, const OptionLabel& l) { actor_decisions.insert({l.actor(), static_cast<uint8_t>(p), static_cast<uint8_t>(l.kind)}); }
};

// Wraps a strategy to record coverage.
class Recording : public DecisionHook {
 public:
  Recording(DecisionHook& inner, Coverage& cov) : inner_(inner), cov_(cov) {}
  uint32_t choose(DecisionPoint p, const std::vector<OptionLabel>& options) override {
    uint32_t c = inner_.choose(p, options);
    cov_.note(p, options[c]);
    return c;
  }
  bool wants_steps() const override { return inner_.wants_steps(); }
  void stepped(const StepEvent& e) override { inner_.stepped(e); }

 private:
  DecisionHook& inner_;
  Coverage& cov_;
};

}  // namespace otp::sim
