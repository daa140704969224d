// main() for a test binary of simulation tests: `./tests` (and any GoogleTest flag) runs
// GoogleTest; `./tests list|check|explore|replay|shrink|show ...` runs the same tests from the
// CLI. Anything else that is not a flag is a mistyped command, and a filter that selects no
// test is an error too: neither may pass by running everything, or nothing.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include <otpsim/testing/cli.hpp>

int main(int argc, char** argv) {
  if (argc > 1 && otp::testing::is_cli_command(argv[1]))
    return otp::testing::cli_main(argc, argv, {.program = argv[0], .suites_by_default = false});
  if (argc > 1 && argv[1][0] != '-') {
    std::fprintf(stderr, "error: unknown command '%s'; the commands are %s (or GoogleTest's --gtest_* flags)\n", argv[1],
                 otp::testing::cli_commands().c_str());
    return 2;
  }
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i)  // InitGoogleTest took its own flags out
    if (argv[i][0] == '-') {
      std::fprintf(stderr, "error: unknown flag '%s' (GoogleTest's flags start with --gtest_)\n", argv[i]);
      return 2;
    }
  int rc = RUN_ALL_TESTS();
  if (rc == 0 && !GTEST_FLAG_GET(list_tests) && ::testing::UnitTest::GetInstance()->test_to_run_count() == 0) {
    std::fprintf(stderr, "error: no test matches --gtest_filter=%s\n", std::string(GTEST_FLAG_GET(filter)).c_str());
    return 1;
  }
  return rc;
}
