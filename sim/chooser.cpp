#include <otpsim/sim/chooser.hpp>

namespace otp::sim {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Prng::Prng(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

uint64_t Prng::next() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Prng::below(uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // reject the biased tail
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

const char* to_string(DecisionPoint p) {
  switch (p) {
    case DecisionPoint::next_step: return "next-step";
    case DecisionPoint::timer_tie: return "timer-tie";
    case DecisionPoint::fault: return "fault";
    case DecisionPoint::timer_delay: return "timer-delay";
  }
  return "?";
}

uint32_t Chooser::choose(DecisionPoint point, uint32_t options) {
  if (options <= 1) return 0;  // no choice, nothing recorded
  uint32_t c = 0;
  if (replaying_) {
    if (script_pos_ < script_.size()) {
      c = script_[script_pos_++];
      if (c >= options) {
        diverged_ = true;
        c = options - 1;
      }
    }
  } else {
    c = static_cast<uint32_t>(prng_.below(options));
  }
  if (keep_log_) log_.push_back({point, options, c});
  return c;
}

bool Chooser::fault(uint32_t per_million) {
  if (per_million == 0) return false;
  uint32_t c;
  if (replaying_) {
    c = script_pos_ < script_.size() ? script_[script_pos_++] : 0;
    if (c > 1) {
      diverged_ = true;
      c = 1;
    }
  } else {
    c = prng_.below(1'000'000) < per_million ? 1 : 0;
  }
  if (keep_log_) log_.push_back({DecisionPoint::fault, 2, c});
  return c == 1;
}

std::vector<uint32_t> Chooser::choices() const {
  std::vector<uint32_t> out;
  out.reserve(log_.size());
  for (const auto& d : log_) out.push_back(d.choice);
  return out;
}

}  // namespace otp::sim
