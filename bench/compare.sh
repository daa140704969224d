#!/usr/bin/env bash
# Runs the peer workloads (BEAM, CAF: ../shared/peer-bench/run.sh) and our simulator benchmark
# in one invocation and prints ours / peer ratios for W1-W5.
# Usage: bench/compare.sh [ROUNDS]   (needs: apt-get install erlang-base elixir libcaf-dev)
set -eu -o pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEER_BENCH:-$here/../shared/peer-bench}
rounds=${1:-1}
[ -x "$here/build/release/bench/otpsim_bench" ] || { cmake --preset release >/dev/null && cmake --build build/release --target otpsim_bench >/dev/null; }
peer_out=$(mktemp); ours_out=$(mktemp)
trap 'rm -f "$peer_out" "$ours_out"' EXIT
bash "$peers/run.sh" "$rounds" | tee "$peer_out"
"$here/build/release/bench/otpsim_bench" --benchmark_repetitions="$rounds" --benchmark_format=csv 2>/dev/null | tee "$ours_out"
ours() {  # median items/s of one benchmark
  grep "^\"$1" "$ours_out" | grep -v '_mean\|_stddev\|_cv\|_median' | awk -F, '{print $7}' | sort -g |
    awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
peer() { awk -v p="$1" -v n="$2" '$1 == "median" && $2 == p && $3 == n {print $4}' "$peer_out"; }
printf '\n%-24s %14s %14s %14s %14s\n' workload otpsim-sim/s vs-BEAM+S1 vs-BEAM vs-CAF-1thread
for row in "w1_pingpong BM_W1_PingPong" "w2_spawn_exit BM_W2_SpawnExit" "w3_restart_storm BM_W3_RestartStorm" "w4_call_1client BM_W4_Call/" "w4_call_100clients BM_W4_Call100" "w5_pool BM_W5_Pool"; do
  set -- $row
  o=$(ours "$2")
  r() { local p; p=$(peer "$1" "$2"); [ -n "$p" ] && awk -v o="$o" -v p="$p" 'BEGIN {printf "%.2f", o / p}' || echo n/a; }
  printf '%-24s %14.0f %14s %14s %14s\n' "$1" "$o" "$(r beam_S1 "$1")" "$(r beam "$1")" "$(r caf_T1 "$1")"
done
