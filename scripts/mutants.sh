#!/usr/bin/env bash
# Proves the property suites have teeth: each tests/mutants/*.patch is a plausible bug (its first
# line says which). The patches are applied one at a time to a scratch copy of the tree, never to
# the tree itself; `otpsim check all-suites scenarios` must pass on the unpatched copy and fail
# (exit 1) with each patch applied. Prints each mutant's verdict and the score.
set -u
cd "$(dirname "$0")/.."
scripts/deps.sh
SEEDS=${SEEDS:-200}
scratch=build/mutants/src
bin=build/mutants/build
rm -rf "$scratch"; mkdir -p "$scratch"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch"
cmake -S "$scratch" -B "$bin" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  -DOTPSIM_BUILD_BENCH=OFF -DOTPSIM_BUILD_TESTS=OFF >/dev/null

check() {  # $1: log file. Builds the CLI from the scratch copy and runs the suites.
  cmake --build "$bin" --target otpsim >"$1" 2>&1 || { echo "build failed (see $1)"; return 3; }
  "$bin/cli/otpsim" check all-suites scenarios --seeds "$SEEDS" >"$1" 2>&1
}
summary() { grep -E '^[0-9]+ passed' "$1"; }
failed_in() { grep '^FAILED' "$1" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s(%s) ", $2, $1}'; }

check build/mutants/none.log; rc=$?
if [ "$rc" -ne 0 ]; then echo "no mutant: check FAILED (rc=$rc, $(summary build/mutants/none.log))"; exit 1; fi
echo "no mutant: check passes ($(summary build/mutants/none.log))"
killed=0 total=0
for patch in tests/mutants/*.patch; do
  name=$(basename "$patch" .patch) total=$((total + 1))
  log=build/mutants/$name.log
  if ! patch -s -d "$scratch" -p1 <"$patch"; then echo "$name: patch does not apply"; continue; fi
  check "$log"; rc=$?
  patch -s -R -d "$scratch" -p1 <"$patch"
  if [ "$rc" -eq 1 ]; then
    killed=$((killed + 1)); echo "$name: killed ($(summary "$log")): $(failed_in "$log")"
  else
    echo "$name: SURVIVED (rc=$rc, $(summary "$log")) — $(head -1 "$patch")"
  fi
done
echo "mutants killed: $killed of $total"
[ "$killed" -eq "$total" ]
