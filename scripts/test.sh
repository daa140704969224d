#!/usr/bin/env bash
# Passes the tests: install, build Debug with -Werror and run the whole ctest suite, then the
# same suite under ASan+UBSan, then every scenario's trace from both builds compared, then the
# rt tests under TSan, then the libFuzzer targets (scenario
# loader, term parser, replay tokens; 45 s each, scripts/fuzz.sh), then the property suites and
# scenarios from the CLI (each scenario seed run twice: determinism), then a consumer program
# built against the installed package (find_package(otpsim), the simulator's libraries hidden),
# then the bug hunt of
# examples/bughunt against the same package (examples/bughunt/run.sh).
set -eu -o pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
for preset in debug asan-ubsan; do
  echo "== $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build "build/$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
echo "== the same trace from the Debug and the ASan+UBSan builds (S91 across build types)"
scripts/same_trace_every_build.sh build/debug/cli/otpsim build/asan-ubsan/cli/otpsim 3
echo "== tsan: every test that runs on the rt executor, and dpor on several jobs"
cmake --preset tsan >/dev/null
cmake --build build/tsan -j "$jobs" --target otpsim_tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build/tsan/tests/otpsim_tests --gtest_filter='SimAndRt/*/rt:RtStress.*:RtInbox.*:RtRunQueue.*:RtTimerWheel.*:BlockCache.*:RtSharing.*:RtMemory.*:*/RtWorkloads.*:Dpor.Jobs*:PropertySuites.Rt'
echo "== fuzz: every reader of outside input, 45 s per target"
scripts/fuzz.sh 45
echo "== property suites and scenarios (debug build)"
build/debug/cli/otpsim check scenarios all-suites --seeds 200
echo "== consumer example against the installed package"
prefix=$(mktemp -d)
cmake --install build/debug --prefix "$prefix" >/dev/null
# The runtime alone needs no library but threads: the simulator's are hidden from this project.
cmake -S examples/consumer -B build/consumer -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_DISABLE_FIND_PACKAGE_fmt=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_tomlplusplus=TRUE \
  -DCMAKE_DISABLE_FIND_PACKAGE_Boost=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_GTest=TRUE >/dev/null
cmake --build build/consumer
build/consumer/consumer
echo "== the bug hunt against the installed package: three planted bugs found, shrunk, replayed; fixes pass 10,000 runs"
examples/bughunt/run.sh "$prefix" build/bughunt
rm -rf "$prefix"
