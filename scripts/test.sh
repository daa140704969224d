#!/usr/bin/env bash
# Passes the tests: install, build Debug with -Werror and run the whole ctest suite, then the
# same suite under ASan+UBSan, then the scenario check (each seed run twice: determinism).
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
echo "== scenarios (debug build)"
build/debug/cli/otpsim check scenarios all-suites --seeds 200
