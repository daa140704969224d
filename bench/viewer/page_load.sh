#!/usr/bin/env bash
# The HTML viewer on a long trace: writes a 100,000-step trace, turns it into a page with
# `otpsim show --html`, opens it ROUNDS times in headless Chromium and prints what the page
# measured itself: loaded-ms (navigation start to drawn) and render-ms (its script). The
# browser's own start-up is printed apart (an empty page).
# Usage: bench/viewer/page_load.sh OTPSIM [STEPS] [ROUNDS]
set -eu
otpsim=$1 steps=${2:-100000} rounds=${3:-3}
dir=$(mktemp -d)
python3 "$(dirname "$0")/synthetic_trace.py" "$steps" > "$dir/trace.jsonl"
"$otpsim" show "$dir/trace.jsonl" --html "$dir/trace.html" > /dev/null
echo "trace: $(wc -l < "$dir/trace.jsonl") events, page $(stat -c %s "$dir/trace.html") bytes"
for _ in $(seq "$rounds"); do
  chromium --headless --no-sandbox --disable-gpu --dump-dom "$dir/trace.html" 2>/dev/null |
    sed -n 's/.*data-render-ms="\([0-9]*\)" data-loaded-ms="\([0-9]*\)".*/loaded-ms \2, render-ms \1/p'
done
echo '<html><body>x</body></html>' > "$dir/empty.html"
start=$(date +%s%N)
chromium --headless --no-sandbox --disable-gpu --dump-dom "$dir/empty.html" > /dev/null 2>&1
echo "browser start-up (an empty page, whole process): $(( ($(date +%s%N) - start) / 1000000 )) ms"
rm -rf "$dir"
