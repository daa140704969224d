// Replays every input the fuzzers ever crashed on (tests/fuzz_regressions/<target>/, see
// docs/testing.md "Fuzzing") through the same target bodies as the libFuzzer binaries
// (fuzz/targets.cpp). A regression aborts or trips a sanitizer here, in every ctest run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/targets.hpp"

namespace fs = std::filesystem;

namespace {

int replay_dir(const std::string& target, void (*body)(const uint8_t*, size_t)) {
  fs::path dir = fs::path(OTPSIM_SOURCE_DIR) / "tests" / "fuzz_regressions" / target;
  int n = 0;
  if (!fs::is_directory(dir)) return n;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(e.path().string());
    body(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++n;
  }
  return n;
}

}  // namespace

TEST(FuzzRegressions, ScenarioLoader) { EXPECT_GT(replay_dir("scenario", otp::fuzz::scenario), 0); }
TEST(FuzzRegressions, TermParser) { EXPECT_GT(replay_dir("term", otp::fuzz::term), 0); }
TEST(FuzzRegressions, TokenDecoder) { EXPECT_GT(replay_dir("token", otp::fuzz::token), 0); }
TEST(FuzzRegressions, TraceReader) { EXPECT_GT(replay_dir("trace", otp::fuzz::trace), 0); }
