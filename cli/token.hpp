#pragma once
// Replay tokens: "otpsim1:<build>:<seed>:<scenario path>". Written to a file before each run,
// so a crash or a swallowed CI log does not lose them.
#include <string>

struct Token {
  std::string build;
  uint64_t seed = 0;
  std::string scenario;
};

std::string build_id();
std::string make_token(const std::string& scenario, uint64_t seed);
Token parse_token(const std::string& text);  // std::invalid_argument on a malformed token
void write_token_file(const std::string& token, unsigned job = 0);
