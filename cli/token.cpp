#include "cli/token.hpp"

#include <fstream>
#include <stdexcept>

std::string build_id() { return OTPSIM_BUILD_ID; }

std::string make_token(const std::string& scenario, uint64_t seed) {
  return "otpsim1:" + build_id() + ":" + std::to_string(seed) + ":" + scenario;
}

Token parse_token(const std::string& text) {
  const std::string prefix = "otpsim1:";
  auto bad = [&](const char* why) {
    return std::invalid_argument("malformed replay token '" + text + "': " + why +
                                 " (expected otpsim1:<build>:<seed>:<scenario>)");
  };
  if (text.rfind(prefix, 0) != 0) throw bad("unknown format version");
  size_t a = text.find(':', prefix.size());
  if (a == std::string::npos) throw bad("no seed");
  size_t b = text.find(':', a + 1);
  if (b == std::string::npos) throw bad("no scenario");
  Token t;
  t.build = text.substr(prefix.size(), a - prefix.size());
  try {
    size_t used = 0;
    t.seed = std::stoull(text.substr(a + 1, b - a - 1), &used);
    if (used != b - a - 1) throw bad("seed is not a number");
  } catch (const std::logic_error&) {
    throw bad("seed is not a number");
  }
  t.scenario = text.substr(b + 1);
  if (t.scenario.empty()) throw bad("empty scenario path");
  return t;
}

void write_token_file(const std::string& token, unsigned job) {
  std::ofstream(job == 0 ? "otpsim-last-token.txt" : "otpsim-last-token." + std::to_string(job) + ".txt")
      << "otpsim replay " << token << '\n';
}
