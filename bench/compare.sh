#!/usr/bin/env bash
# Runs the peer workloads (BEAM, CAF: ../shared/peer-bench/run.sh) and our benchmarks (the
# simulator, and rt with 1 and 2 threads) in one invocation, round by round, and prints
# ours / peer ratios of the medians over the rounds.
# Usage: [REPS=3] bench/compare.sh [ROUNDS]   (needs: apt-get install erlang-base elixir libcaf-dev)
# glibc malloc gives freed heap back to the kernel eagerly, so a flood of messages (W5) pays
# page faults again on every run. To measure with the heap kept (for us and CAF alike; the
# BEAM keeps its own carriers anyway):
#   MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_TOP_PAD_=268435456 bench/compare.sh 3
set -eu -o pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEER_BENCH:-$here/../shared/peer-bench}
rounds=${1:-1}
case $rounds in ''|*[!0-9]*) echo "compare.sh: ROUNDS must be an integer in 1..50, got '$rounds'" >&2; exit 2 ;; esac
if [ "$rounds" -lt 1 ] || [ "$rounds" -gt 50 ]; then echo "compare.sh: ROUNDS must be an integer in 1..50, got '$rounds'" >&2; exit 2; fi
if [ ! -x "$here/build/release/bench/otpsim_rt_bench" ]; then
  (cd "$here" && cmake --preset release >/dev/null)
fi
cmake --build "$here/build/release" --target otpsim_bench otpsim_rt_bench otpsim_cross_core_probe >/dev/null
peer_out=$(mktemp); sim_out=$(mktemp); rt_out=$(mktemp)
trap 'rm -f "$peer_out" "$sim_out" "$rt_out"' EXIT
# Rounds interleave the peers and ours, so that each ratio compares runs a minute or two apart:
# on a shared VM the machine's speed drifts by 1.5-2x over minutes. Within a round each of our
# benchmarks runs REPS times (default 3) in a random order (Google Benchmark's random
# interleaving), so that rt1 and rt2 of a row are measured across the same seconds of drift
# rather than one after the other; each figure is the median of all its runs over the rounds.
reps=${REPS:-3}
case $reps in ''|*[!0-9]*) echo "compare.sh: REPS must be an integer in 1..20, got '$reps'" >&2; exit 2 ;; esac
if [ "$reps" -lt 1 ] || [ "$reps" -gt 20 ]; then echo "compare.sh: REPS must be an integer in 1..20, got '$reps'" >&2; exit 2; fi
ours=(--benchmark_filter='W[1-57-9]' --benchmark_format=csv --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true)
probe() { "$here/build/release/bench/otpsim_cross_core_probe"; }
trips=""
for r in $(seq "$rounds"); do
  echo "# round $r of $rounds"
  trips="$trips $(probe)"
  bash "$peers/run.sh" 1 | tee -a "$peer_out"
  # W6 has its own counter, which Google Benchmark's CSV reporter cannot mix with the others.
  "$here/build/release/bench/otpsim_bench" "${ours[@]}" 2>/dev/null | tee -a "$sim_out"
  "$here/build/release/bench/otpsim_rt_bench" "${ours[@]}" 2>/dev/null | tee -a "$rt_out"
done
trips="$trips $(probe)"
w6() {  # Google Benchmark prints 1.2295k for 1229.5
  "$1" --benchmark_filter=W6 2>/dev/null | grep -o 'bytes_per_process=[0-9.]*k\?' | cut -d= -f2 |
    awk '{v = $1; if (v ~ /k$/) v = substr(v, 1, length(v) - 1) * 1000; printf "%.0f", v}'
}
w6_sim=$(w6 "$here/build/release/bench/otpsim_bench")
w6_rt=$(w6 "$here/build/release/bench/otpsim_rt_bench")
middle() { sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }  # median of stdin's numbers
median() {  # median items/s (CSV column 7) of the rows matching a benchmark name prefix
  grep "^\"$2" "$1" | grep -v '_mean\|_stddev\|_cv\|_median' | awk -F, '{print $7}' | middle
}
peer() {  # median over the rounds of a peer's figure (each round prints its own n=1 median)
  awk -v p="$1" -v n="$2" '$1 == "median" && $2 == p && $3 == n {print $4}' "$peer_out" | middle
}
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v o="$1" -v p="$2" 'BEGIN {printf "%.2f", o / p}' || echo n/a; }
printf '\n%-20s %11s %11s %11s | %9s %9s %9s | %9s %9s %9s | %7s\n' benchmark sim/s rt1/s rt2/s \
  sim:BEAMS1 rt1:BEAMS1 rt2:BEAM rt1:CAF1 rt2:CAF2 sim:CAF1 rt2/rt1
for row in "w1_pingpong W1_PingPong" "w2_spawn_exit W2_SpawnExit" "w3_restart_storm W3_RestartStorm" \
           "w4_call_1client W4_Call/" "w4_call_100clients W4_Call100" "w5_pool W5_Pool/" "w5_pool W5_BarePool" "w5_pool W5_PoolAsync" \
           "w7_parallel_pairs W7_ParallelPairs" "w8_parallel_storms W8_ParallelStorms" "w9_fan_out_in W9_FanOutIn" "w9_fan_out_in W9_BareFanOutIn"; do
  set -- $row
  s=$(median "$sim_out" "BM_$2"); r1=$(median "$rt_out" "BM_RT_$2.*/1/"); r2=$(median "$rt_out" "BM_RT_$2.*/2/")
  printf '%-20s %11.0f %11.0f %11.0f | %9s %9s %9s | %9s %9s %9s | %7s\n' "${2%/}" "${s:-0}" "${r1:-0}" "${r2:-0}" \
    "$(ratio "$s" "$(peer beam_S1 "$1")")" "$(ratio "$r1" "$(peer beam_S1 "$1")")" "$(ratio "$r2" "$(peer beam "$1")")" \
    "$(ratio "$r1" "$(peer caf_T1 "$1")")" "$(ratio "$r2" "$(peer caf_T2 "$1")")" "$(ratio "$s" "$(peer caf_T1 "$1")")" "$(ratio "$r2" "$r1")"
  case $1 in w7_*|w8_*|w9_*)  # the best peer at any thread setting (BEAM +S 1 / default, CAF 1 / 2 / default threads)
    best=$(for p in beam_S1 beam caf_T1 caf_T2 caf_default; do peer "$p" "$1"; done | sort -g | tail -1)
    printf '%-20s %11s %11s %11s   rt2 / the best peer (%s/s): %s\n' "" "" "" "" "$best" "$(ratio "$r2" "$best")" ;;
  esac
done
w6_beam=$(peer beam w6_bytes_per_idle_process); w6_caf=$(peer caf_T1 w6_bytes_per_idle_process)
printf '%-20s %11s %11s %11s | bytes per idle process; vs BEAM %s (%s B), vs CAF %s (%s B): lower is better\n' w6_memory "${w6_sim}" "${w6_rt}" "" \
  "$(ratio "$w6_rt" "$w6_beam")" "$w6_beam" "$(ratio "$w6_rt" "$w6_caf")" "$w6_caf"
echo "cross-core round trip (ns) before each round and at the end:$trips (~100: near cores; ~450+: far ones, and the 2-thread figures drop)"
echo "(ratios > 1: we are faster. rt1/rt2 = rt executor with 1/2 worker threads; BEAMS1 = BEAM +S 1; CAF1/CAF2 = CAF with 1/2 threads)"
