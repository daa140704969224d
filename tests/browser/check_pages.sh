#!/usr/bin/env bash
# Opens the HTML viewer's pages in headless Chromium and checks what they drew: a page for a
# shipped scenario (escalation: lanes by supervision path, a restart marker, exits, signal
# arrows) and one for the explore rare bug replayed from its token (its decisions shown, the
# crash marked). Any script error fails the check. Screenshots are left in the working
# directory (the build tree) as CI artifacts.
# Usage: check_pages.sh OTPSIM SOURCE_DIR
set -eu
otpsim=$1 src=$2
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "headless Chromium is not installed (scripts/deps.sh installs the chromium package)"; exit 1; }
run_chrome() { timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars "$@" 2>/dev/null; }
summary() { run_chrome --dump-dom "$1" > "$1.dom"; grep -o '<div id="summary"[^>]*>' "$1.dom"; }
attr() { sed -n "s/.*data-$2=\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
fail() { echo "FAIL $*"; exit 1; }

"$otpsim" run "$src/scenarios/escalation_transient_sup.toml" --quiet --html escalation.html >/dev/null
s=$(summary escalation.html) || fail "escalation.html: no summary: the page's script did not run"
echo "escalation.html: $s"
[ "$(attr "$s" ready)" = 1 ] || fail "escalation.html did not finish drawing"
[ "$(attr "$s" errors)" = 0 ] || fail "escalation.html: script errors"
[ "$(attr "$s" lanes)" -ge 6 ] || fail "escalation.html: expected 6 lanes"
[ "$(attr "$s" restarts)" -ge 1 ] || fail "escalation.html: expected a restart marker"
[ "$(attr "$s" arrows)" -ge 1 ] || fail "escalation.html: expected signal arrows"
grep -q 'class="lane" data-path="root/inner/flaky" data-pid="&lt;0.6.0&gt;"' escalation.html.dom || fail "escalation.html: no lane for root/inner/flaky <0.6.0>"
grep -q 'class="marker restart"' escalation.html.dom || fail "escalation.html: no restart marker in the DOM"
grep -q 'class="arrow' escalation.html.dom || fail "escalation.html: no arrow in the DOM"
grep -q 'root/inner/flaky &lt;0.4.0&gt;: boom' escalation.html.dom || fail "escalation.html: the crash's reason is not on its exit marker"
run_chrome --window-size=1200,900 --screenshot="$PWD/escalation.png" escalation.html

token=$("$otpsim" explore "$src/scenarios/explore/down_before_exit.toml" --strategy dpor --no-shrink | grep -o "otpsim2:[^' ]*" | head -1)
[ -n "$token" ] || fail "explore found no failing schedule to draw"
"$otpsim" replay "$token" --quiet --html rare_bug.html >/dev/null || true  # (the replay fails: that is the bug)
s=$(summary rare_bug.html) || fail "rare_bug.html: no summary"
echo "rare_bug.html: $s"
[ "$(attr "$s" errors)" = 0 ] || fail "rare_bug.html: script errors"
[ "$(attr "$s" moved)" -ge 1 ] || fail "rare_bug.html: the non-canonical decisions are not marked"
grep -q 'assumption_violated' rare_bug.html.dom || fail "rare_bug.html: the watcher's crash is not shown"
run_chrome --window-size=1200,900 --screenshot="$PWD/rare_bug.png" rare_bug.html
# A reason holding "<!--<script>" must not swallow the page's own script.
"$otpsim" run "$src/tests/data/reason_html_comment.toml" --quiet --html comment.html >/dev/null
s=$(summary comment.html) || fail "comment.html: no summary: a reason with <!--<script> stopped the page's script"
[ "$(attr "$s" ready)" = 1 ] || fail "comment.html did not finish drawing"
[ "$(attr "$s" errors)" = 0 ] || fail "comment.html: script errors"
echo "ok: the pages drew what they should; screenshots: $PWD/escalation.png, $PWD/rare_bug.png"
