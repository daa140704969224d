#include <otpsim/testing/env.hpp>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <tuple>

namespace otp::testing {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  if (!*v) throw std::invalid_argument(std::string(name) + " is set but empty: give it a value or unset it");
  return std::string(v);
}

std::optional<uint64_t> whole_number(std::string_view in, uint64_t lo, uint64_t hi) {
  // No cap on the length: leading zeros are digits too (a token's seed takes them), and the
  // overflow check below bounds the value.
  if (in.empty()) return std::nullopt;
  uint64_t n = 0;
  for (char c : in) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return std::nullopt;
    n = n * 10 + d;
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

namespace {

uint64_t whole(const std::string& text, const std::string& what, uint64_t lo, uint64_t hi) {
  auto n = whole_number(text, lo, hi);
  if (!n)
    throw std::invalid_argument(what + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) +
                                ", got '" + text + "'");
  return *n;
}

}  // namespace

std::optional<uint64_t> env_whole(const char* name, uint64_t lo, uint64_t hi) {
  auto v = env(name);
  if (!v) return std::nullopt;
  return whole(*v, name, lo, hi);
}

Search parse_strategy(const std::string& text, const std::string& what) {
  if (text == "random") return Search::random;
  if (text == "pct") return Search::pct;
  if (text == "dfs") return Search::dfs;
  if (text == "dpor") return Search::dpor;
  throw std::invalid_argument(what + " must be random, pct, dfs or dpor, got '" + text + "'");
}

std::pair<uint64_t, uint64_t> parse_shard(const std::string& text, const std::string& what) {
  size_t slash = text.find('/');
  auto n = slash == std::string::npos ? std::nullopt : whole_number(std::string_view(text).substr(slash + 1), 1, kMaxShards);
  auto i = !n ? std::nullopt : whole_number(std::string_view(text).substr(0, slash), 0, *n - 1);
  if (!i)
    throw std::invalid_argument(what + " must be i/n with 0 <= i < n <= " + std::to_string(kMaxShards) + ", got '" + text + "'");
  return {*i, *n};
}

Config apply_env(Config c) {
  if (auto v = env("OTPSIM_STRATEGY")) c.strategy = parse_strategy(*v, "OTPSIM_STRATEGY");
  if (auto v = env_whole("OTPSIM_RUNS", 1, 10'000'000)) c.runs = *v;
  if (auto v = env_whole("OTPSIM_SEED", 0, UINT64_MAX)) c.seed = *v;
  if (auto v = env("OTPSIM_BOUND")) c.bound = static_cast<uint32_t>(whole(*v, "OTPSIM_BOUND", 0, 64));
  if (auto v = env("OTPSIM_TIME_BUDGET_MS")) c.time_budget_ms = whole(*v, "OTPSIM_TIME_BUDGET_MS", 0, 86'400'000);
  if (auto v = env("OTPSIM_SHRINK")) c.shrink = whole(*v, "OTPSIM_SHRINK", 0, 1) == 1;
  if (auto v = env("OTPSIM_SHARD")) std::tie(c.shard_index, c.shard_count) = parse_shard(*v, "OTPSIM_SHARD");
  if (auto v = env("OTPSIM_SEED"); v && c.seed > UINT64_MAX - c.runs)
    throw std::invalid_argument("OTPSIM_SEED=" + *v + " with " + std::to_string(c.runs) + " runs goes past seed 18446744073709551615");
  validate(c);
  return c;
}

}  // namespace otp::testing
