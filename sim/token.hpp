#pragma once
// Replay tokens: "otpsim2:<build>:<seed>:<choices>:<target>", where target is a scenario path
// suite/<name> or test/<name> (a simulation test), and choices is "-" or a recorded (possibly shrunk) list: for a suite, its
// case's draws; for a scenario, the Chooser's decisions. Runs of one value are written v*n.
// "otpsim1:<build>:<seed>:<target>" (no choices) is still read.
// Bounds (sim/limits.hpp, docs/cli.md "Limits"): at most kTokenBytes of text; the seed and
// every number are plain digits (no sign: "-1" is an error, not 2^64-1); choices are 32-bit and
// at most kTokenChoices of them after run-length expansion, so a short token cannot ask for
// gigabytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Token {
  std::string build;
  uint64_t seed = 0;
  std::optional<std::vector<uint32_t>> choices;
  std::string target;
  bool is_suite() const { return target.rfind("suite/", 0) == 0; }
  std::string suite() const { return target.substr(6); }
  bool is_test() const { return target.rfind("test/", 0) == 0; }
  std::string test() const { return target.substr(5); }
};

std::string build_id();
std::string make_token(const std::string& target, uint64_t seed,
                       const std::optional<std::vector<uint32_t>>& choices = std::nullopt);
Token parse_token(const std::string& text);  // std::invalid_argument on a malformed token
// A token as one shell word, as printed in "<program> replay <token>": single-quoted (a token's
// `*` runs are globs to the shell, and a scenario path may hold anything, a quote included).
std::string shell_quoted(const std::string& token);
// otpsim-last-token.txt (job 0) or otpsim-last-token.<job>.txt: "<program> replay <token>".
void write_token_file(const std::string& token, unsigned job = 0, const std::string& program = "otpsim");

// The line that reproduces the run about to start, rewritten in place before every run (one
// write and one truncate, no reopen), so a crash or a hang leaves the culprit on disk.
class TokenFile {
 public:
  explicit TokenFile(std::string path);  // std::invalid_argument if it cannot be written
  ~TokenFile();
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;
  void write(const std::string& line);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};
