#!/usr/bin/env bash
# Proves the supervisor tests have teeth: builds the suite once per known bug compiled into
# core/supervisor_server.cpp (-DOTPSIM_MUTANT=n) and checks that the tests fail for each.
#   1 intensity window off by one          2 one_for_all restarts like rest_for_one
#   3 transient restarted after {shutdown,T}   4 shutdown never kills after its timeout
#   5 children terminated in start order, not reverse
set -u
cd "$(dirname "$0")/.."
scripts/deps.sh
killed=0
for m in 1 2 3 4 5; do
  dir=build/mutant-$m
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DOTPSIM_BUILD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="-DOTPSIM_MUTANT=$m" >/dev/null
  cmake --build "$dir" --target otpsim_tests >/dev/null || { echo "mutant $m: build failed"; continue; }
  if RC_PARAMS="max_success=300" "$dir/tests/otpsim_tests" --gtest_filter='Supervisor*' >"$dir/log.txt" 2>&1; then
    echo "mutant $m: SURVIVED (no test failed)"
  else
    killed=$((killed + 1))
    echo "mutant $m: killed by $(grep -c '^\[  FAILED  \] Supervisor' "$dir/log.txt" | head -1) failing test line(s): $(grep '^\[  FAILED  \] Supervisor' "$dir/log.txt" | head -3 | sed 's/\[  FAILED  \] //; s/ (.*//' | tr '\n' ' ')"
  fi
done
echo "mutants killed: $killed of 5"
[ "$killed" -eq 5 ]
