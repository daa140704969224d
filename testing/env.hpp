#pragma once
// The OTPSIM_* environment variables every runner honours (a test binary under GoogleTest,
// its CLI mode, and `otpsim`), so CI changes a whole suite's budget without editing it:
//   OTPSIM_STRATEGY=random|pct|dfs|dpor   OTPSIM_RUNS=N   OTPSIM_SEED=N   OTPSIM_BOUND=N
//   OTPSIM_SHARD=i/n   OTPSIM_TIME_BUDGET_MS=N   OTPSIM_SHRINK=0|1
//   OTPSIM_REPLAY=<token>   OTPSIM_TOKEN_FILE=<path>   OTPSIM_TRACE=<path>
// A malformed value is an error naming the variable, never ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <otpsim/testing/config.hpp>

namespace otp::testing {

// `c` with the environment's overrides applied; std::invalid_argument on a bad value.
Config apply_env(Config c);
// A variable's value, or nullopt if unset; std::invalid_argument if set but empty.
std::optional<std::string> env(const char* name);
// A whole decimal number (digits only) in [lo, hi], or nullopt: "-1" must not wrap to 2^64-1,
// nor "1e3", "+5" or " 7" slip through. Every number the runners read goes through it.
std::optional<uint64_t> whole_number(std::string_view in, uint64_t lo, uint64_t hi);
// A variable as such a number: nullopt if unset, std::invalid_argument naming it if malformed.
std::optional<uint64_t> env_whole(const char* name, uint64_t lo, uint64_t hi);
// "i/n" with 0 <= i < n <= kMaxShards, as (i, n); std::invalid_argument naming `what`.
inline constexpr uint64_t kMaxShards = 1'000'000;
std::pair<uint64_t, uint64_t> parse_shard(const std::string& text, const std::string& what);
Search parse_strategy(const std::string& text, const std::string& what);

}  // namespace otp::testing
