#!/usr/bin/env bash
# Runs-to-first-failure of each planted bug per strategy: the mean (and worst) over 20 root
# seeds 1,000,003 apart (so no two hunts share runs), each stopping at its first failure (no
# shrinking). Prints a markdown table.
#   examples/bughunt/hunt.sh <bughunt binary> [seeds]
set -eu -o pipefail
bin=$1 seeds=${2:-20}
cd "$(mktemp -d)"
echo "| bug | random | pct (d=2) | dfs (K=2) |"
echo "|---|---|---|---|"
for t in Ordering.Buggy LostJobs.Buggy Escalation.Buggy; do
  row="| $t |"
  for s in random pct dfs; do
    sum=0 worst=0 missed=0
    for seed in $(seq 1 "$seeds"); do
      n=$(OTPSIM_STRATEGY=$s OTPSIM_SEED=$((seed * 1000003)) OTPSIM_SHRINK=0 OTPSIM_RUNS=10000 "$bin" --gtest_filter="$t" 2>&1 |
          sed -n 's/.* failed at run \([0-9]*\) of .*/\1/p' | head -1 || true)
      if [ -z "$n" ]; then missed=$((missed + 1)); continue; fi
      sum=$((sum + n))
      if [ "$n" -gt "$worst" ]; then worst=$n; fi
    done
    found=$((seeds - missed))
    if [ "$found" -eq 0 ]; then row="$row not found in 10,000 |"
    else
      note=""
      if [ "$missed" -gt 0 ]; then note=", missed $missed/$seeds"; fi
      row="$row $(awk "BEGIN{printf \"%.1f\", $sum/$found}") (worst $worst$note) |"
    fi
  done
  echo "$row"
done
