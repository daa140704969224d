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
# on a shared VM the machine's speed drifts by 1.5-2x over minutes, and jumps between two or three
# levels within seconds. Within a round each simulator benchmark runs REPS times (default 3) in a
# random order (Google Benchmark's random interleaving). rt runs in pairs: REPS times per round,
# each workload on 1 thread and at once on 2 (in turn 1-2 and 2-1, so that a steady drift favours
# neither), each run a process of its own. Each figure is the median of all its runs over the
# rounds; rt2/rt1 is the median of the pairs' own ratios, which compare runs a second apart.
reps=${REPS:-3}
case $reps in ''|*[!0-9]*) echo "compare.sh: REPS must be an integer in 1..20, got '$reps'" >&2; exit 2 ;; esac
if [ "$reps" -lt 1 ] || [ "$reps" -gt 20 ]; then echo "compare.sh: REPS must be an integer in 1..20, got '$reps'" >&2; exit 2; fi
sim_args=(--benchmark_filter='W[1-57-9]' --benchmark_format=csv --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true)
rt_workloads="W1_PingPong/ W2_SpawnExit/ W3_RestartStorm/ W4_Call/ W4_Call100/ W5_Pool/ W5_BarePool/ W5_PoolAsync/
              W7_ParallelPairs/ W8_ParallelStorms/ W9_FanOutIn/ W9_BareFanOutIn/"
rt_pairs() {
  for k in $(seq "$reps"); do
    for w in $rt_workloads; do
      if [ $((k % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
      for t in $order; do
        "$here/build/release/bench/otpsim_rt_bench" --benchmark_filter="^BM_RT_$w[0-9]+/$t/" --benchmark_format=csv 2>/dev/null |
          grep '^"BM_'
      done
    done
  done
}
probe() { "$here/build/release/bench/otpsim_cross_core_probe"; }
trips=""
for r in $(seq "$rounds"); do
  echo "# round $r of $rounds"
  trips="$trips $(probe)"
  bash "$peers/run.sh" 1 | tee -a "$peer_out"
  # W6 has its own counter, which Google Benchmark's CSV reporter cannot mix with the others.
  "$here/build/release/bench/otpsim_bench" "${sim_args[@]}" 2>/dev/null | tee -a "$sim_out"
  rt_pairs | tee -a "$rt_out"
done
trips="$trips $(probe)"
w6() {  # Google Benchmark prints 1.2295k for 1229.5
  "$1" --benchmark_filter=W6 2>/dev/null | grep -o 'bytes_per_process=[0-9.]*k\?' | cut -d= -f2 |
    awk '{v = $1; if (v ~ /k$/) v = substr(v, 1, length(v) - 1) * 1000; printf "%.0f", v}'
}
w6_sim=$(w6 "$here/build/release/bench/otpsim_bench")
w6_rt=$(w6 "$here/build/release/bench/otpsim_rt_bench")
middle() { sort -g | awk '{v[NR]=$1} END {if (NR) printf "%.6f\n", (v[int((NR+1)/2)] + v[int(NR/2)+1]) / 2}'; }  # median of stdin's numbers
median() {  # median items/s (CSV column 7) of the rows matching a benchmark name prefix
  grep "^\"$2" "$1" | grep -v '_mean\|_stddev\|_cv\|_median' | awk -F, '{print $7}' | middle
}
peer() {  # median over the rounds of a peer's figure (each round prints its own n=1 median)
  awk -v p="$1" -v n="$2" '$1 == "median" && $2 == p && $3 == n {print $4}' "$peer_out" | middle
}
paired() {  # median over the pairs of rt2 / rt1: the k-th 2-thread run of a workload against its k-th 1-thread run
  grep "^\"BM_RT_$2" "$1" | awk -F, '$1 ~ /\/1\/real_time"$/ {a[++n]=$7} $1 ~ /\/2\/real_time"$/ {b[++m]=$7}
    END {for (i = 1; i <= n && i <= m; ++i) if (a[i] > 0) print b[i] / a[i]}' | middle
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
    "$(ratio "$r1" "$(peer caf_T1 "$1")")" "$(ratio "$r2" "$(peer caf_T2 "$1")")" "$(ratio "$s" "$(peer caf_T1 "$1")")" "$(p=$(paired "$rt_out" "$2"); [ -n "$p" ] && printf '%.2f' "$p" || echo n/a)"
  case $1 in w7_*|w8_*|w9_*)  # the best peer at any thread setting (BEAM +S 1 / default, CAF 1 / 2 / default threads)
    best=$(for p in beam_S1 beam caf_T1 caf_T2 caf_default; do peer "$p" "$1"; done | sort -g | tail -1)
    printf '%-20s %11s %11s %11s   rt2 / the best peer (%.0f/s): %s\n' "" "" "" "" "$best" "$(ratio "$r2" "$best")" ;;
  esac
done
w6_beam=$(peer beam w6_bytes_per_idle_process); w6_caf=$(peer caf_T1 w6_bytes_per_idle_process)
printf '%-20s %11s %11s %11s | bytes per idle process; vs BEAM %s (%s B), vs CAF %s (%s B): lower is better\n' w6_memory "${w6_sim}" "${w6_rt}" "" \
  "$(ratio "$w6_rt" "$w6_beam")" "$w6_beam" "$(ratio "$w6_rt" "$w6_caf")" "$w6_caf"
echo "cross-core round trip (ns) before each round and at the end:$trips (~100: near cores; ~450+: far ones, and the 2-thread figures drop)"
echo "(ratios > 1: we are faster. rt1/rt2 = rt executor with 1/2 worker threads; BEAMS1 = BEAM +S 1; CAF1/CAF2 = CAF with 1/2 threads)"
