// otpsim: scenarios, property suites and simulation tests on the deterministic simulator.
#include <otpsim/properties/suites.hpp>
#include <otpsim/testing/cli.hpp>

int main(int argc, char** argv) {
  otp::properties::register_suites();
  return otp::testing::cli_main(argc, argv, {.program = "otpsim", .suites_by_default = true});
}
