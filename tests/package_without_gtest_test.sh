#!/usr/bin/env bash
# The installed package is found on a machine without GoogleTest: only otpsim::testing_main needs
# it, so a project that links otpsim::rt (examples/consumer) configures, and the package says why
# otpsim::testing_main is missing. Usage: package_without_gtest_test.sh <build dir> <source dir>
set -eu
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
out=$(cmake -S "$src/examples/consumer" -B "$work/consumer" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON 2>&1) || {
  echo "$out"
  echo "find_package(otpsim) failed without GoogleTest"
  exit 1
}
grep -q "otpsim::testing_main is not defined" <<<"$out" || { echo "$out"; echo "no word on otpsim::testing_main"; exit 1; }
echo "package found without GoogleTest"
