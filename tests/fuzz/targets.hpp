#pragma once
// The fuzz targets' bodies, shared by the libFuzzer binaries (fuzz_*.cpp, built with
// -DOTPSIM_BUILD_FUZZ=ON: the `fuzz` preset) and by the GoogleTest that replays the saved
// crashers under tests/fuzz_regressions/<target>/ in every ctest run. Each returns normally
// for every input; a crash, sanitizer report or failed check (abort) is a finding.
#include <cstddef>
#include <cstdint>

namespace otp::fuzz {

// Scenario loader (TOML -> Scenario): parse_scenario, then what every command does with a
// loaded scenario short of running it (tree_text, tree_dot), and the loader's promises.
void scenario(const uint8_t* data, size_t size);
// Erlang-term parser: parse_term; what it parsed prints as text that parses back to it.
void term(const uint8_t* data, size_t size);
// Replay-token decoder: parse_token; a parsed token re-encodes to an equal one.
void token(const uint8_t* data, size_t size);
// Trace reader (`otpsim show`): read_trace, then the readable log (plain and verbose), the
// Chrome/Perfetto export (which must be JSON) and the HTML page of what it read.
void trace(const uint8_t* data, size_t size);

}  // namespace otp::fuzz
