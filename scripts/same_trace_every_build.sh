#!/usr/bin/env bash
# S91 across build types: every scenario file (scenarios/, and tests/data/, where the malformed
# ones must fail alike), on a few seeds, gives a byte-identical trace and output from two builds
# of the CLI (CI: Debug against ASan+UBSan, so
# another optimisation level, allocator and address layout). A trace that differs means
# something in core/ or sim/ reads an address, an uninitialised value or the build's own
# choices; a token from one build would not replay in the other.
#   scripts/same_trace_every_build.sh build/debug/cli/otpsim build/asan-ubsan/cli/otpsim [seeds]
set -eu -o pipefail
cd "$(dirname "$0")/.."
a=$(realpath "$1") b=$(realpath "$2") seeds=${3:-5}
root=$(pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/a" "$out/b"

# Each run with --trace, from its own working directory (each writes its token file there).
trace() {  # build dir args...
  local bin=$1 dir=$2
  shift 2
  (cd "$dir" && "$bin" "$@" --quiet --trace "$dir/trace.jsonl" >"$dir/stdout.txt" 2>"$dir/stderr.txt") || true
}
compare() {  # what
  local x
  for x in trace.jsonl stdout.txt stderr.txt; do
    [[ -e $out/a/$x ]] || touch "$out/a/$x"
    [[ -e $out/b/$x ]] || touch "$out/b/$x"
    if ! cmp -s "$out/a/$x" "$out/b/$x"; then
      echo "FAIL $1: the two builds wrote different ${x%.*}s (first difference below)"
      diff "$out/a/$x" "$out/b/$x" | head -6
      exit 1
    fi
  done
  rm -f "$out"/{a,b}/trace.jsonl
}

runs=0 events=0
for f in $(find scenarios tests/data -name '*.toml' | sort); do
  for seed in $(seq 1 "$seeds"); do
    trace "$a" "$out/a" run "$root/$f" --seed "$seed"
    trace "$b" "$out/b" run "$root/$f" --seed "$seed"
    [[ -e $out/a/trace.jsonl ]] && events=$((events + $(wc -l <"$out/a/trace.jsonl")))
    compare "$f seed $seed"
    runs=$((runs + 1))
  done
done
if ((events == 0)); then echo "FAIL: no run wrote a trace"; exit 1; fi
echo "same trace from both builds: $runs runs, $events events"
