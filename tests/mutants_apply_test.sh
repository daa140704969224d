#!/usr/bin/env bash
# Every planted bug in tests/mutants/ still applies to the code it describes: a refactor that
# moves that code must rewrite the patch (scripts/mutants.sh then checks the suites kill it),
# or the mutant would silently stop being tested. `patch`, as scripts/mutants.sh applies them.
set -u
cd "$(dirname "$0")/.."
bad=0 n=0
for p in tests/mutants/*.patch; do
  n=$((n + 1))
  if ! patch --dry-run -s -f -p1 <"$p" >/dev/null 2>&1; then
    echo "does not apply: $p"
    bad=$((bad + 1))
  fi
done
if [ "$n" -eq 0 ]; then echo "no mutants found in tests/mutants"; exit 1; fi
if [ "$bad" -ne 0 ]; then echo "$bad of $n mutants do not apply"; exit 1; fi
echo "mutants apply: $n"
