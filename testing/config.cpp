#include <otpsim/testing/config.hpp>

#include <stdexcept>

namespace otp::testing {

const char* to_string(Search s) {
  switch (s) {
    case Search::random: return "random";
    case Search::pct: return "pct";
    case Search::dfs: return "dfs";
    case Search::dpor: return "dpor";
  }
  return "?";
}

namespace {
void in_range(const char* field, uint64_t v, uint64_t lo, uint64_t hi) {
  if (v < lo || v > hi)
    throw std::invalid_argument(std::string("test config: ") + field + " must be in " + std::to_string(lo) + ".." +
                                std::to_string(hi) + ", got " + std::to_string(v));
}
}  // namespace

void validate(const Config& c) {
  in_range("runs", c.runs, 1, 10'000'000);
  in_range("bound", c.bound, 0, 64);
  in_range("max_steps", c.max_steps, 1, 50'000'000);
  if (c.max_time_ms < 1 || c.max_time_ms > 1'000'000'000)
    throw std::invalid_argument("test config: max_time_ms must be in 1..1000000000, got " + std::to_string(c.max_time_ms));
  in_range("time_budget_ms", c.time_budget_ms, 0, 86'400'000);
  in_range("faults.max_faults", c.faults.max_faults, 1, 64);
  in_range("faults.max_gap_steps", c.faults.max_gap_steps, 1, 1'000'000);
  in_range("faults.max_timer_delay_ms", c.faults.max_timer_delay_ms, 0, 60'000);
  in_range("faults.fault_point_per_million", c.faults.fault_point_per_million, 0, 1'000'000);
  if (c.seed > UINT64_MAX - c.runs)
    throw std::invalid_argument("test config: seed " + std::to_string(c.seed) + " with " + std::to_string(c.runs) +
                                " runs goes past seed 18446744073709551615");
  in_range("shard_count", c.shard_count, 1, 1'000'000);
  if (c.shard_index >= c.shard_count)
    throw std::invalid_argument("test config: shard " + std::to_string(c.shard_index) + " of " + std::to_string(c.shard_count) +
                                " does not exist (0 <= i < n)");
}

}  // namespace otp::testing
