#pragma once
// Chooser: the one owner of nondeterminism in a simulated world. Every decision point is
// named and recorded, so a run is reproduced from its seed or from its decision list.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otp::sim {

// xoshiro256** seeded through splitmix64: a named algorithm, identical on every platform.
class Prng {
 public:
  explicit Prng(uint64_t seed);
  uint64_t next();
  // Uniform in [0, n), without modulo bias; n > 0. Never std::uniform_int_distribution,
  // whose results differ between standard libraries.
  uint64_t below(uint64_t n);

 private:
  uint64_t s_[4];
};

enum class DecisionPoint : uint8_t { next_step, timer_tie, fault };
const char* to_string(DecisionPoint p);

struct Decision {
  DecisionPoint point;
  uint32_t options;  // how many there were
  uint32_t choice;
};

class Chooser {
 public:
  explicit Chooser(uint64_t seed) : prng_(seed) {}
  // Replay: take choices from `script`; once it runs out, choose 0 (the canonical choice),
  // which is what lets a shrinker cut a decision list short.
  Chooser(uint64_t seed, std::vector<uint32_t> script)
      : prng_(seed), script_(std::move(script)), replaying_(true) {}

  uint32_t choose(DecisionPoint point, uint32_t options);
  // A fault fires with probability per_million / 1e6 (swarm testing draws it per seed).
  bool fault(uint32_t per_million);

  const std::vector<Decision>& log() const { return log_; }
  std::vector<uint32_t> choices() const;
  bool replay_diverged() const { return diverged_; }

 private:
  Prng prng_;
  std::vector<uint32_t> script_;
  size_t script_pos_ = 0;
  bool replaying_ = false;
  bool diverged_ = false;  // a scripted choice was out of range for this run
  std::vector<Decision> log_;
};

}  // namespace otp::sim
