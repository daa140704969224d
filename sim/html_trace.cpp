#include <otpsim/sim/html_trace.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include <otpsim/sim/story.hpp>

namespace otp::sim {
namespace {

// The page's script and style. Data arrives as JSON in <script id="data">: processes (lanes) and
// events (step, ms, kind, from lane, to lane, text). The page writes a summary of what it drew
// into #summary's data attributes (lanes, restarts, exits, arrows, render ms, errors), which
// the browser test reads.
constexpr const char* kPage = R"PAGE(<!doctype html>
<html><head><meta charset="utf-8"><title>@@TITLE@@</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{padding:8px 12px;background:#f4f4f4;border-bottom:1px solid #ddd}
h1{font-size:16px;margin:0 0 4px}
#controls{display:flex;gap:12px;align-items:center;padding:6px 12px}
#scrub{flex:1}
#main{display:flex;gap:8px;padding:0 12px}
#lanesbox{flex:3;height:360px;overflow-y:auto;border:1px solid #ddd;position:relative}
#side{flex:2;height:360px;overflow:auto;border:1px solid #ddd;padding:4px 8px}
#seqbox{margin:8px 12px;border:1px solid #ddd;overflow-x:auto}
.lane text{font-size:11px}
.life{fill:#cfe3ff}
.life.dead{fill:#dde8f5}
.marker.exit{fill:#d33}
.marker.exit.normal{fill:#888}
.marker.restart{fill:#2a2}
.cursor{stroke:#f80;stroke-width:2}
.arrow{stroke:#36c;stroke-width:1.2;marker-end:url(#head)}
.arrow.exit{stroke:#d33}
.arrow.other{stroke:#999}
.tree li.dead{color:#999}
.dec{display:inline-block;min-width:14px;text-align:center;margin:1px;border:1px solid #ccc;font-size:10px}
.dec.moved{background:#fd6;border-color:#c90}
</style></head><body>
<header><h1>@@TITLE@@</h1><div id="counts"></div><div id="decisions"></div></header>
<div id="controls"><label>step <input id="scrub" type="range" min="0" value="0"></label><span id="at"></span></div>
<div id="main"><div id="lanesbox"><svg id="lanes" width="100%"></svg></div><div id="side"><b>Tree at this step</b><ul class="tree" id="tree"></ul><b>Events</b><ul id="evs"></ul></div></div>
<div id="seqbox"><svg id="seq" height="10"></svg></div>
<div id="summary"></div>
<script id="data" type="application/json">@@DATA@@</script>
<script>
"use strict";
const summary = document.getElementById('summary');
summary.dataset.errors = '0';
window.addEventListener('error', () => { summary.dataset.errors = String(+summary.dataset.errors + 1); });
const t0 = performance.now();
const D = JSON.parse(document.getElementById('data').textContent);
const P = D.processes, E = D.events, last = Math.max(1, D.last_step);
const ROW = 18, LABEL = 230, WINDOW = 120;
const NS = 'http://www.w3.org/2000/svg';
function el(tag, attrs, parent) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (parent) parent.appendChild(e); return e; }
function esc(s) { return String(s).replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c])); }
document.getElementById('counts').textContent = P.length + ' processes, ' + E.length + ' events, ' + (D.last_step + 1) + ' steps, ' + D.last_ms + ' virtual ms';
if (D.decisions.length) {
  const box = document.getElementById('decisions');
  box.innerHTML = 'decisions (marked: not the canonical first option): ';
  D.decisions.forEach((c, i) => { const s = document.createElement('span'); s.className = 'dec' + (c ? ' moved' : ''); s.title = 'decision ' + i + ': option ' + c; s.textContent = c; box.appendChild(s); });
  summary.dataset.moved = String(D.decisions.filter(c => c).length);
}
const scrub = document.getElementById('scrub');
scrub.max = String(D.last_step);
// Lanes: only the rows in view are drawn (a trace may have thousands of processes).
const lanesbox = document.getElementById('lanesbox'), lanes = document.getElementById('lanes');
lanes.setAttribute('height', String(P.length * ROW + 4));
let drawn = {lanes: 0, restarts: 0, exits: 0, arrows: 0};
function x(step, w) { return LABEL + (w - LABEL - 8) * step / last; }
function drawLanes() {
  while (lanes.firstChild) lanes.removeChild(lanes.firstChild);
  const w = lanesbox.clientWidth || 900;
  const first = Math.max(0, Math.floor(lanesbox.scrollTop / ROW) - 2), end = Math.min(P.length, first + Math.ceil((lanesbox.clientHeight || 360) / ROW) + 4);
  let restarts = 0, exits = 0;
  for (let i = first; i < end; ++i) {
    const p = P[i], y = i * ROW + 2;
    const g = el('g', {class: 'lane', 'data-path': p.path, 'data-pid': p.pid}, lanes);
    el('text', {x: 4, y: y + 12}, g).textContent = p.label;
    const x0 = x(p.born, w), x1 = x(p.died < 0 ? D.last_step : p.died, w);
    el('rect', {class: 'life' + (p.died < 0 ? '' : ' dead'), x: x0, y: y + 3, width: Math.max(2, x1 - x0), height: ROW - 6}, g);
    if (p.restart) { ++restarts; el('title', {}, el('circle', {class: 'marker restart', cx: x0, cy: y + ROW / 2, r: 4}, g)).textContent = 'restarted as ' + p.pid; }
    if (p.died >= 0) { ++exits; el('title', {}, el('rect', {class: 'marker exit' + (p.reason === 'normal' ? ' normal' : ''), x: x1 - 3, y: y + 2, width: 6, height: ROW - 4}, g)).textContent = p.label + ': ' + p.reason; }
  }
  const c = x(+scrub.value, w);
  el('line', {class: 'cursor', x1: c, x2: c, y1: 0, y2: P.length * ROW + 4}, lanes);
  drawn.lanes = end - first; drawn.restarts = restarts; drawn.exits = exits;
}
// Events sorted by step: the window around the selected step is found by binary search.
function firstAt(step) { let lo = 0, hi = E.length; while (lo < hi) { const m = (lo + hi) >> 1; if (E[m][0] < step) lo = m + 1; else hi = m; } return lo; }
const seq = document.getElementById('seq');
function drawSeq(step) {
  while (seq.firstChild) seq.removeChild(seq.firstChild);
  const from = Math.max(0, step - WINDOW / 2), to = from + WINDOW;
  const a = firstAt(from), b = firstAt(to + 1);
  const involved = new Map();
  for (let i = a; i < b; ++i) for (const l of [E[i][3], E[i][4]]) if (l >= 0 && !involved.has(l)) involved.set(l, involved.size);
  const cols = [...involved.keys()];
  const COL = 150, H = 22 + (b - a) * 16;
  seq.setAttribute('width', String(Math.max(300, cols.length * COL + 40)));
  seq.setAttribute('height', String(H + 10));
  const defs = el('defs', {}, seq), m = el('marker', {id: 'head', markerWidth: 8, markerHeight: 8, refX: 7, refY: 3, orient: 'auto'}, defs);
  el('path', {d: 'M0,0 L7,3 L0,6 z', fill: '#36c'}, m);
  cols.forEach((l, i) => { const cx = 20 + i * COL + COL / 2; el('text', {x: cx - COL / 2 + 4, y: 14, 'font-size': 10}, seq).textContent = P[l].label; el('line', {x1: cx, x2: cx, y1: 18, y2: H, stroke: '#ccc'}, seq); });
  let arrows = 0;
  for (let i = a; i < b; ++i) {
    const ev = E[i], y = 30 + (i - a) * 16;
    const col = l => 20 + involved.get(l) * COL + COL / 2;
    if (ev[2] === 'deliver' && ev[3] >= 0 && ev[4] >= 0) {
      ++arrows;
      const l = el('line', {class: 'arrow' + (ev[6] === 'exit' ? ' exit' : ev[6] === 'message' ? '' : ' other'), x1: col(ev[3]), x2: col(ev[4]) + (ev[3] === ev[4] ? 20 : 0), y1: y, y2: y + (ev[3] === ev[4] ? 6 : 0), 'data-step': ev[0]}, seq);
      el('title', {}, l).textContent = '#' + ev[0] + ' ' + ev[5];
      if (ev[5]) { const lx = Math.min(col(ev[3]), col(ev[4])) + 6; el('text', {class: 'label', x: lx, y: y - 2, 'font-size': 9, fill: '#36c'}, seq).textContent = ev[5].replace(/^.*? <- /, '').slice(0, 48); }
    } else if (ev[4] >= 0 || ev[3] >= 0) {
      el('text', {x: col(ev[4] >= 0 ? ev[4] : ev[3]) + 4, y: y + 4, 'font-size': 10, fill: ev[2] === 'exit' ? '#d33' : '#555'}, seq).textContent = ev[5];
    }
  }
  drawn.arrows = arrows;
}
function showTree(step) {
  const tree = document.getElementById('tree'), evs = document.getElementById('evs');
  const lines = [];
  for (const p of P) if (p.born <= step && (p.died < 0 || p.died >= step - WINDOW)) lines.push('<li class="' + (p.died >= 0 && p.died <= step ? 'dead' : '') + '">' + esc(p.label) + (p.died >= 0 && p.died <= step ? ' — exited ' + esc(p.reason) : ' — alive') + '</li>');
  tree.innerHTML = lines.join('');
  const a = firstAt(step), out = [];
  for (let i = a; i < E.length && E[i][0] === step; ++i) out.push('<li>' + esc(E[i][5]) + '</li>');
  evs.innerHTML = out.join('') || '<li>(nothing traced at this step)</li>';
  document.getElementById('at').textContent = '#' + step + (a < E.length ? ', ' + E[Math.min(a, E.length - 1)][1] + ' ms' : '');
}
function update() { const s = +scrub.value; drawLanes(); drawSeq(s); showTree(s); report(); }
function report() { for (const k in drawn) summary.dataset[k] = String(drawn[k]); }
scrub.addEventListener('input', update);
lanesbox.addEventListener('scroll', () => { drawLanes(); report(); });
// Start at the first exit that was not normal (what a reader looks for), else at the end.
const firstCrash = E.find(e => e[2] === 'exit' && !/^(normal|shutdown)/.test(e[7]));
scrub.value = String(firstCrash ? firstCrash[0] : D.last_step);
update();
summary.dataset.renderMs = String(Math.round(performance.now() - t0));
summary.dataset.loadedMs = String(Math.round(performance.now()));  // since navigation started
summary.dataset.ready = '1';
</script></body></html>
)PAGE";

// In one pass: replacing in place moves the rest of the string each time (quadratic in a page
// whose data holds a `<` in every pid).
void replace_all(std::string& s, const std::string& what, const std::string& with) {
  std::string out;
  size_t from = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, from)) {
    out.append(s, from, at - from).append(with);
    from = at + what.size();
  }
  if (from == 0) return;
  out.append(s, from, std::string::npos);
  s = std::move(out);
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string html_trace(const std::vector<TraceEvent>& events, const HtmlOptions& opts) {
  using nlohmann::json;
  // First the story learns every path; then each event is told with the final names.
  Story story({.top_name = opts.top_name});
  for (const TraceEvent& e : events) story.tell(e);
  story.flush();
  story.finish();
  Story teller({.verbose = true, .stamp = false, .top_name = opts.top_name, .names = &story});
  struct Lane {
    std::string pid;
    int64_t born = 0, died = -1;
    std::string reason;
    bool restart = false;
  };
  std::vector<Lane> lanes;
  std::map<std::string, size_t> lane_of;
  auto lane = [&](const std::string& pid) -> int64_t {
    if (pid.empty() || pid == "<0.0.0>") return -1;
    auto [it, fresh] = lane_of.try_emplace(pid, lanes.size());
    if (fresh) lanes.push_back(Lane{.pid = pid});
    return static_cast<int64_t>(it->second);
  };
  std::map<std::string, int> started_paths;
  json evs = json::array();
  uint64_t last_step = 0;
  int64_t last_ms = 0;
  for (const TraceEvent& e : events) {
    last_step = std::max(last_step, e.step);
    last_ms = std::max(last_ms, e.t);
    int64_t a = -1, b = -1;
    std::string sig;
    // A lane of -1 is no process (<0.0.0>, the world's own parent): only a trace edited by hand
    // spawns, ends or starts it.
    if (e.ev == "spawn") {
      b = lane(e["pid"]);
      if (b >= 0) lanes[static_cast<size_t>(b)].born = static_cast<int64_t>(e.step);
      a = lane(e["parent"]);
    } else if (e.ev == "exit") {
      a = lane(e["pid"]);
      if (a >= 0) {
        lanes[static_cast<size_t>(a)].died = static_cast<int64_t>(e.step);
        lanes[static_cast<size_t>(a)].reason = e["reason"];
      }
    } else if (e.ev == "deliver") {
      a = lane(e["from"]);
      b = lane(e["to"]);
      sig = e["sig"];
    } else if (e.ev == "supervisor") {
      a = lane(e["sup"]);
      if (e["report"] == "child_started") {
        b = lane(e["pid"]);
        if (started_paths[story.path(e["pid"])]++ > 0 && b >= 0) lanes[static_cast<size_t>(b)].restart = true;
      }
    } else {
      a = lane(!e["pid"].empty() ? e["pid"] : e["to"]);
    }
    std::string t;
    for (const std::string& l : teller.tell(e)) t += (t.empty() ? "" : "; ") + l;
    if (t.empty()) {  // bookkeeping the log hides: said plainly here
      t = e.ev;
      for (const auto& [k, v] : e.fields) t += " " + k + "=" + v;
    }
    evs.push_back({e.step, e.t, e.ev, a, b, t, sig, e["reason"]});
  }
  // Lanes in supervision-path order (a restarted child's lanes side by side, a process outside
  // the tree under its spawner's path), then by birth.
  auto group = [&](const std::string& pid) {
    std::string p = story.path(pid);
    if (!p.empty() && p.back() == '>')
      if (auto slash = p.rfind('/'); slash != std::string::npos) p = p.substr(0, slash) + "/~";
    return p;
  };
  std::vector<size_t> order(lanes.size());
  std::vector<std::string> groups(lanes.size());  // once a lane, not once a comparison
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    groups[i] = group(lanes[i].pid);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return groups[x] != groups[y] ? groups[x] < groups[y] : lanes[x].born < lanes[y].born;
  });
  std::vector<int64_t> new_index(lanes.size());
  json procs = json::array();
  for (size_t k = 0; k < order.size(); ++k) {
    const Lane& l = lanes[order[k]];
    new_index[order[k]] = static_cast<int64_t>(k);
    procs.push_back({{"pid", l.pid}, {"path", story.path(l.pid)}, {"label", story.who(l.pid)}, {"born", l.born}, {"died", l.died},
                     {"reason", l.reason}, {"restart", l.restart}});
  }
  for (auto& ev : evs)
    for (int k : {3, 4})
      if (ev[k].get<int64_t>() >= 0) ev[k] = new_index[static_cast<size_t>(ev[k].get<int64_t>())];
  json data = {{"processes", procs}, {"events", evs}, {"last_step", last_step}, {"last_ms", last_ms}, {"decisions", opts.decisions}};
  // A cut character becomes U+FFFD rather than an exception. No `<` in the data, escaped as
  // JSON allows (it occurs only inside strings): neither `</script` nor `<!--<script` (which
  // would keep the parser in the script element past its end) can reach the HTML parser.
  std::string payload = data.dump(-1, ' ', false, json::error_handler_t::replace);
  replace_all(payload, "<", "\\u003c");
  std::string page = kPage;
  replace_all(page, "@@TITLE@@", html_escape(opts.title.empty() ? "otpsim trace" : opts.title));
  page.replace(page.find("@@DATA@@", page.find("<script id=\"data\"")), 8, payload);
  return page;
}

}  // namespace otp::sim
