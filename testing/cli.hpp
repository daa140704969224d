#pragma once
// The command line shared by `otpsim` and a user's test binary (otpsim::testing_main, or a
// main that calls cli_main): list, check, explore, replay, shrink over the registry, plus
// run and tree for scenario files. Exit codes: 0 ok, 1 a check failed, 2 bad input.
#include <string>

namespace otp::testing {

struct CliOptions {
  std::string program = "otpsim";  // how replay lines name this program
  bool suites_by_default = true;   // `check` with no targets: scenarios + all suites (otpsim) or all tests
};

int cli_main(int argc, char** argv, const CliOptions& opts = {});

// Whether argv[1] names one of cli_main's subcommands (a test binary's main dispatches on it).
bool is_cli_command(const char* arg);
// The commands, "run, check, ..." (for a message about a mistyped one).
std::string cli_commands();

}  // namespace otp::testing
