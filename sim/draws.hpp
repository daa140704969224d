#pragma once
// Draws: the input side of a property case (tree shape, fault plan, job mix) as one stream
// of numbers, either fresh from a seed or replayed from a recorded list. A case built from
// Draws is reproduced by its list and shrunk by shrinking the list (Hypothesis-style), so a
// RapidCheck-shrunk vector and an `otpsim shrink` result are the same kind of token.
#include <cassert>
#include <cstdint>
#include <optional>
#include <vector>

#include <otpsim/sim/chooser.hpp>

namespace otp::sim {

class Draws {
 public:
  explicit Draws(uint64_t seed) : prng_(seed) {}
  explicit Draws(std::vector<uint32_t> script) : prng_(0), script_(std::move(script)) {}

  // Uniform in [0, n). Replaying: the scripted value modulo n, and 0 once the list runs out,
  // so any list is a valid case and shorter / smaller lists are simpler cases.
  uint32_t below(uint32_t n) {
    uint32_t v = 0;
    if (script_) {
      v = pos_ < script_->size() ? (*script_)[pos_] % n : 0;
      ++pos_;
    } else {
      v = static_cast<uint32_t>(prng_.below(n));
    }
    recorded_.push_back(v);
    return v;
  }
  bool chance(uint32_t one_in) { return below(one_in) == 0; }
  // True with probability per_million / 1e6, recorded as 1 or 0 (so a shrinker turns it off
  // by zeroing it). Replaying: the scripted value's lowest bit.
  bool per_million(uint32_t p) {
    uint32_t v = 0;
    if (script_) {
      v = pos_ < script_->size() ? (*script_)[pos_] & 1u : 0;
      ++pos_;
    } else {
      v = p > 0 && prng_.below(1'000'000) < p ? 1 : 0;
    }
    recorded_.push_back(v);
    return v == 1;
  }
  // A choice made elsewhere (an exploration strategy) joins the stream, so the run replays
  // from recorded() alone. Only while drawing fresh: a replay takes every value from its list.
  void note(uint32_t v) {
    assert(!script_ && "a replay takes its choices from the list, never from a strategy");
    recorded_.push_back(v);
  }
  bool replaying() const { return script_.has_value(); }
  // A 64-bit seed for a world's Chooser, drawn as two values (shrinks toward seed 0).
  uint64_t seed() { return (uint64_t{below(1u << 31)} << 31) | below(1u << 31); }

  const std::vector<uint32_t>& recorded() const { return recorded_; }

 private:
  Prng prng_;
  std::optional<std::vector<uint32_t>> script_;
  size_t pos_ = 0;
  std::vector<uint32_t> recorded_;
};

}  // namespace otp::sim
