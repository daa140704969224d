#!/usr/bin/env bash
# Fuzzes everything that reads outside input with libFuzzer (+ASan+UBSan): the scenario loader,
# the Erlang-term parser, the replay-token decoder and the trace reader (`show`). Configures and builds the `fuzz` preset,
# then runs each target for SECONDS (default 60) and prints its executions per second and
# coverage. Seed corpora: scenarios/, tests/data/, tests/fuzz/seeds/ and the saved crashers in
# tests/fuzz_regressions/; the working corpus grows in build/fuzz/corpus/<target>/.
# A crash, sanitizer report, leak, timeout (one input > 10 s) or out-of-memory (> 2 GB) fails
# the script; the input is left in build/fuzz/artifacts/<target>/. Fix the bug, then save the
# input as tests/fuzz_regressions/<target>/<name> so ctest replays it from then on.
#   scripts/fuzz.sh [SECONDS]        e.g. scripts/fuzz.sh 300
#   FUZZ_TARGETS="term token" scripts/fuzz.sh 60
set -eu -o pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
case "$secs" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] (a whole number)" >&2; exit 2 ;; esac
targets=${FUZZ_TARGETS:-scenario term token trace}
cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j "${FUZZ_BUILD_JOBS:-$(nproc)}" --target otpsim_fuzz
status=0
for t in $targets; do
  corpus=build/fuzz/corpus/$t
  artifacts=build/fuzz/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  case "$t" in
    scenario) seeds+=(scenarios/*.toml scenarios/explore/*.toml tests/data/*.toml) max_len=16384 ;;
    trace) seeds+=(tests/fuzz/seeds/"$t"/*) max_len=16384 ;;
    *) seeds+=(tests/fuzz/seeds/"$t"/*) max_len=4096 ;;
  esac
  for f in tests/fuzz_regressions/"$t"/*; do [ -f "$f" ] && seeds+=("$f"); done
  for f in "${seeds[@]}"; do cp -n "$f" "$corpus/seed-$(basename "$f")" 2>/dev/null || true; done
  log=build/fuzz/$t.log
  echo "== fuzz $t: ${secs} s"
  rc=0
  build/fuzz/tests/fuzz/otpsim_fuzz_"$t" "$corpus" -max_total_time="$secs" -dict=tests/fuzz/"$t".dict -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
  # libFuzzer's last status line: "#N DONE cov: C ft: F corp: K/... exec/s: E rss: R"
  done_line=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$done_line" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')
  echo "fuzz $t: ${execs:-?} execs, ${rate:-?} execs/s, cov ${cov:-?} edges, ft ${ft:-?} features, corpus ${corp:-?}"
  echo "  $done_line"
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "FUZZ FAILURE in $t (exit $rc); input saved as:" >&2
    grep -E 'Test unit written to|artifact_prefix' "$log" >&2 || true
    grep -E -A25 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)|runtime error|fuzz check failed' "$log" | head -60 >&2 || true
    echo "full log: $log" >&2
  fi
done
exit $status
