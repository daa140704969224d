#!/usr/bin/env bash
# Builds the bug hunt against an installed otpsim and checks what docs/testing-your-code.md
# says: each fix passes 10,000 runs; each planted bug is found, shrunk and confirmed, and its
# token replays to the same trace hash through OTPSIM_REPLAY, the CLI and the library call.
#   examples/bughunt/run.sh <install prefix> [build dir]
set -eu -o pipefail
prefix=$1 build=${2:-build/bughunt}
src=$(cd "$(dirname "$0")" && pwd)
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build" >/dev/null
bin=$(cd "$build" && pwd)/bughunt  # absolute: the checks below run in a scratch folder
cd "$(mktemp -d)"  # token files land here
echo "== the fixes pass 10,000 runs each"
"$bin" --gtest_filter='*.Fixed' | grep -E "^otpsim:|PASSED|FAILED"
for t in Ordering.Buggy LostJobs.Buggy Escalation.Buggy; do
  echo "== $t: found, shrunk, confirmed, replayed three ways"
  set +e
  out=$("$bin" --gtest_filter="$t" 2>&1)
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || { echo "$t passed: the bug was not found"; echo "$out"; exit 1; }
  echo "$out" | grep -E "^otpsim: |minimal case|shrunk:|confirmed:"
  token=$(echo "$out" | sed -n "s/^  replay:  OTPSIM_REPLAY='\([^']*\)'.*/\1/p")
  hash=$(echo "$out" | sed -n 's/.*fail the same way with trace hash \([0-9a-f]*\).*/\1/p')
  [ -n "$token" ] && [ -n "$hash" ] || { echo "no token or hash in the report"; echo "$out"; exit 1; }
  grep -qF "OTPSIM_REPLAY='$token'" otpsim-last-token.txt || { echo "the token file does not hold the token"; exit 1; }
  set +e
  env_out=$(OTPSIM_REPLAY="$token" "$bin" --gtest_filter="$t" 2>&1)
  lib_out=$("$bin" debug-replay "$token" 2>&1)
  cli_out=$("$bin" replay "$token" 2>&1)
  cli_rc=$?
  set -e
  grep -qF "trace hash $hash" <<<"$env_out" || { echo "OTPSIM_REPLAY gave another trace:"; echo "$env_out"; exit 1; }
  grep -q "^failed: trace hash $hash" <<<"$lib_out" || { echo "replay() gave another trace:"; echo "$lib_out"; exit 1; }
  [ "$cli_rc" -eq 1 ] && grep -q "^FAIL" <<<"$cli_out" || { echo "the CLI replay did not fail:"; echo "$cli_out"; exit 1; }
  echo "   replayed: trace hash $hash through OTPSIM_REPLAY and replay(); the CLI replay fails too"
done
echo "bug hunt ok"
