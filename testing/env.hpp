#pragma once
// The OTPSIM_* environment variables every runner honours (a test binary under GoogleTest,
// its CLI mode, and `otpsim`), so CI changes a whole suite's budget without editing it:
//   OTPSIM_STRATEGY=random|pct|dfs|dpor   OTPSIM_RUNS=N   OTPSIM_SEED=N   OTPSIM_BOUND=N
//   OTPSIM_SHARD=i/n   OTPSIM_TIME_BUDGET_MS=N   OTPSIM_SHRINK=0|1
//   OTPSIM_REPLAY=<token>   OTPSIM_TOKEN_FILE=<path>   OTPSIM_TRACE=<path>
// A malformed value is an error naming the variable, never ignored.
#include <optional>
#include <string>

#include <otpsim/testing/config.hpp>

namespace otp::testing {

// `c` with the environment's overrides applied; std::invalid_argument on a bad value.
Config apply_env(Config c);
// A variable's value, or nullopt if unset; std::invalid_argument if set but empty.
std::optional<std::string> env(const char* name);
// Parses "i/n" (0 <= i < n <= 1,000,000) into c; std::invalid_argument naming `what`.
void parse_shard(const std::string& text, const std::string& what, Config& c);
Search parse_strategy(const std::string& text, const std::string& what);

}  // namespace otp::testing
