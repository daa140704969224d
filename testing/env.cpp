#include <otpsim/testing/env.hpp>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace otp::testing {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  if (!*v) throw std::invalid_argument(std::string(name) + " is set but empty: give it a value or unset it");
  return std::string(v);
}

namespace {

// Digits only, no sign, no wrap-around: "-1" is an error, not 2^64-1.
uint64_t whole(const std::string& text, const std::string& what, uint64_t lo, uint64_t hi) {
  uint64_t n = 0;
  bool ok = !text.empty() && text.size() <= 20;
  for (char ch : text) {
    if (!ok) break;
    if (ch < '0' || ch > '9') {
      ok = false;
      break;
    }
    uint64_t d = static_cast<uint64_t>(ch - '0');
    if (n > (UINT64_MAX - d) / 10) ok = false;
    else n = n * 10 + d;
  }
  if (!ok || n < lo || n > hi)
    throw std::invalid_argument(what + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) +
                                ", got '" + text + "'");
  return n;
}

}  // namespace

Search parse_strategy(const std::string& text, const std::string& what) {
  if (text == "random") return Search::random;
  if (text == "pct") return Search::pct;
  if (text == "dfs") return Search::dfs;
  if (text == "dpor") return Search::dpor;
  throw std::invalid_argument(what + " must be random, pct, dfs or dpor, got '" + text + "'");
}

void parse_shard(const std::string& text, const std::string& what, Config& c) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) throw std::invalid_argument(what + " must be i/n (0 <= i < n), got '" + text + "'");
  uint64_t n = whole(text.substr(slash + 1), what + " (n of i/n)", 1, 1'000'000);
  uint64_t i = whole(text.substr(0, slash), what + " (i of i/n)", 0, n - 1);
  c.shard_index = i;
  c.shard_count = n;
}

Config apply_env(Config c) {
  if (auto v = env("OTPSIM_STRATEGY")) c.strategy = parse_strategy(*v, "OTPSIM_STRATEGY");
  if (auto v = env("OTPSIM_RUNS")) c.runs = whole(*v, "OTPSIM_RUNS", 1, 10'000'000);
  if (auto v = env("OTPSIM_SEED")) c.seed = whole(*v, "OTPSIM_SEED", 0, UINT64_MAX);
  if (auto v = env("OTPSIM_BOUND")) c.bound = static_cast<uint32_t>(whole(*v, "OTPSIM_BOUND", 0, 64));
  if (auto v = env("OTPSIM_TIME_BUDGET_MS")) c.time_budget_ms = whole(*v, "OTPSIM_TIME_BUDGET_MS", 0, 86'400'000);
  if (auto v = env("OTPSIM_SHRINK")) c.shrink = whole(*v, "OTPSIM_SHRINK", 0, 1) == 1;
  if (auto v = env("OTPSIM_SHARD")) parse_shard(*v, "OTPSIM_SHARD", c);
  if (auto v = env("OTPSIM_SEED"); v && c.seed > UINT64_MAX - c.runs)
    throw std::invalid_argument("OTPSIM_SEED=" + *v + " with " + std::to_string(c.runs) + " runs goes past seed 18446744073709551615");
  validate(c);
  return c;
}

}  // namespace otp::testing
