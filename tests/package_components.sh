#!/usr/bin/env bash
# The installed package's components: usage: tests/package_components.sh <install prefix> <scratch dir>
# With the simulator's libraries hidden from CMake, COMPONENTS rt is found and COMPONENTS sim and
# an unknown component are errors that say why; with them, every component is found.
set -eu -o pipefail
prefix=$1
dir=$2
hide=(-DCMAKE_DISABLE_FIND_PACKAGE_fmt=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_tomlplusplus=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_Boost=TRUE)
# expect <found|error: text> <components> [cmake args...]
expect() {
  local want=$1 comps=$2
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'cmake_minimum_required(VERSION 3.25)\nproject(p LANGUAGES CXX)\nfind_package(otpsim REQUIRED COMPONENTS %s)\n' "$comps" >"$dir/CMakeLists.txt"
  local out rc=0
  out=$(cmake -S "$dir" -B "$dir/b" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_PREFIX_PATH="$prefix" "$@" 2>&1) || rc=$?
  if [[ $want == found ]]; then
    [[ $rc == 0 ]] || { echo "FAIL: COMPONENTS $comps $*: not found"; echo "$out"; exit 1; }
  else
    [[ $rc != 0 && $out == *"${want#error: }"* ]] || { echo "FAIL: COMPONENTS $comps $*: wanted an error saying '${want#error: }'"; echo "$out"; exit 1; }
  fi
  echo "ok: COMPONENTS $comps ${*:+(simulator libraries hidden)} -> $want"
}
expect found "core rt" "${hide[@]}"
expect "error: the simulator needs tomlplusplus;Boost;fmt" "rt sim" "${hide[@]}"
expect "error: unknown component 'simulator'" "simulator"
expect found "core rt sim testing"
