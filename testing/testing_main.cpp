// main() for a test binary of simulation tests: `./tests` (and any GoogleTest flag) runs
// GoogleTest; `./tests list|check|explore|replay|shrink ...` runs the same tests from the CLI.
#include <gtest/gtest.h>

#include <otpsim/testing/cli.hpp>

int main(int argc, char** argv) {
  if (argc > 1 && otp::testing::is_cli_command(argv[1]))
    return otp::testing::cli_main(argc, argv, {.program = argv[0], .suites_by_default = false});
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
