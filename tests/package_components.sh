#!/usr/bin/env bash
# The installed package's components. Usage: tests/package_components.sh <build dir> <scratch dir>
# Installs <build dir> under <scratch dir>, then configures projects against it: with the
# simulator's libraries hidden from CMake, COMPONENTS rt is found and COMPONENTS sim and an unknown
# component are errors that say why; without GoogleTest the package is found and says why
# otpsim::testing_main is missing; with everything, every component is found.
set -eu -o pipefail
build=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"
prefix=$dir/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
hide=(-DCMAKE_DISABLE_FIND_PACKAGE_fmt=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_tomlplusplus=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_Boost=TRUE)
# expect <found[: text]|error: text> <components> [cmake args...]: found, or an error, whose
# output says `text`.
expect() {
  local want=$1 comps=$2
  shift 2
  local proj=$dir/project
  rm -rf "$proj" && mkdir -p "$proj"
  printf 'cmake_minimum_required(VERSION 3.25)\nproject(p LANGUAGES CXX)\nfind_package(otpsim REQUIRED %s)\n' \
    "${comps:+COMPONENTS $comps}" >"$proj/CMakeLists.txt"
  local out rc=0 text=${want#*: }
  [[ $want == *": "* ]] || text=""
  out=$(cmake -S "$proj" -B "$proj/b" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_PREFIX_PATH="$prefix" "$@" 2>&1) || rc=$?
  if [[ $want == found* ]]; then
    [[ $rc == 0 ]] || { echo "FAIL: COMPONENTS $comps $*: not found"; echo "$out"; exit 1; }
  else
    [[ $rc != 0 ]] || { echo "FAIL: COMPONENTS $comps $*: found, wanted an error"; echo "$out"; exit 1; }
  fi
  [[ $out == *"$text"* ]] || { echo "FAIL: COMPONENTS $comps $*: the output does not say '$text'"; echo "$out"; exit 1; }
  echo "ok: COMPONENTS ${comps:-(none)} $* -> $want"
}
expect found "core rt" "${hide[@]}"
expect "error: the simulator needs tomlplusplus;Boost;fmt" "rt sim" "${hide[@]}"
expect "error: unknown component 'simulator'" "simulator"
expect "found: otpsim::testing_main is not defined" "" -DCMAKE_DISABLE_FIND_PACKAGE_GTest=TRUE
expect found "core rt sim testing"
echo "package components: all as expected"
