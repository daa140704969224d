#include <otpsim/sim/story.hpp>

#include <cassert>

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include <fmt/core.h>

#include <otpsim/core/kernel/utf8.hpp>

namespace otp::sim {
namespace {

constexpr const char* kRed = "\033[31m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

// The reason a process ended, in words.
std::string ending(const std::string& reason) {
  if (reason == "normal") return "exited normally";
  if (reason == "shutdown") return "shut down";
  if (starts_with(reason, "{shutdown,")) return "shut down: " + reason;
  if (reason == "killed") return "was killed";
  if (reason == "noproc") return "exited noproc (linked to a process that was gone)";
  return "crashed: " + reason;
}

// Splits "{a,b,c}" at its top-level commas ("" when it is not a tuple).
std::vector<std::string> tuple_parts(const std::string& t) {
  std::vector<std::string> out;
  if (t.size() < 2 || t.front() != '{' || t.back() != '}') return out;
  int depth = 0;
  bool quoted = false;
  std::string cur;
  for (size_t i = 1; i + 1 < t.size(); ++i) {
    char c = t[i];
    if (c == '"' && (i == 0 || t[i - 1] != '\\')) quoted = !quoted;
    if (!quoted) {
      if (c == '{' || c == '[' || c == '(') ++depth;
      if (c == '}' || c == ']' || c == ')') --depth;
      if (c == ',' && depth == 0) {
        out.push_back(cur);
        cur.clear();
        continue;
      }
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

}  // namespace

std::string Story::path(const std::string& pid) const {
  if (opts_.names) return opts_.names->path(pid);
  if (finished_)
    if (auto it = known_paths_.find(pid); it != known_paths_.end()) return it->second;
  std::string p = walk_path(pid);
  if (finished_) known_paths_.emplace(pid, p);
  return p;
}

std::string Story::walk_path(const std::string& pid) const {
  // Walked up without recursion, each pid at most once and at most kMaxPathDepth steps: a trace
  // read from a file can be edited into a cycle (a supervisor reporting itself as its child) or
  // a chain deeper than the stack. A walk cut short ends where an unplaced pid would.
  struct Step {
    const std::string* pid;         // the process this step names
    const std::string* sup_or_id;   // its child id under a supervisor, or nullptr: named by its spawner
    const std::string* above;       // that supervisor's pid (for a child)
  };
  std::vector<Step> steps;
  std::string top;  // what the walk ended on: "root", the top process's name, or "" (unplaced)
  std::unordered_set<std::string_view> deep;  // the pids walked past, once the walk is long
  for (const std::string* cur = &pid;;) {
    bool seen;
    if (steps.size() < 16) {
      seen = std::any_of(steps.begin(), steps.end(), [cur](const Step& s) { return *s.pid == *cur; });
    } else {
      if (deep.empty())
        for (const Step& s : steps) deep.insert(*s.pid);
      seen = !deep.insert(*cur).second;
    }
    if (seen || steps.size() == kMaxPathDepth) break;
    if (auto it = child_of_.find(*cur); it != child_of_.end()) {
      steps.push_back({cur, &it->second.second, &it->second.first});
      cur = &it->second.first;
      continue;
    }
    if (roots_.count(*cur)) {
      top = "root";
      break;
    }
    if (*cur == top_) {
      top = opts_.top_name;
      break;
    }
    auto it = parent_.find(*cur);
    if (it == parent_.end()) break;
    steps.push_back({cur, nullptr, &it->second});
    cur = &it->second;
  }
  // Down again: a child is its supervisor's path (or, unplaced, the supervisor's pid) and its
  // id; a process outside the tree is its spawner's path and its pid, or nothing unplaced.
  // Gathered as pieces and joined from the lower end, at most kMaxPathChars of them: a path of
  // 256 long ids would otherwise make every line about it tens of kilobytes.
  std::vector<std::string_view> pieces;  // top-down; every piece after the first is one name
  if (!top.empty()) pieces.push_back(top);
  for (auto s = steps.rbegin(); s != steps.rend(); ++s) {
    if (s->sup_or_id) {
      if (pieces.empty()) pieces.push_back(*s->above);
      pieces.push_back(*s->sup_or_id);
    } else if (!pieces.empty()) {
      pieces.push_back(*s->pid);
    }
  }
  size_t first = pieces.size(), chars = 0;
  while (first > 0 && chars + pieces[first - 1].size() + 1 <= kMaxPathChars) chars += pieces[--first].size() + 1;
  if (first == pieces.size() && first > 0) {  // one name longer than the whole bound: its end
    std::string_view last = pieces.back();
    const size_t from = utf8::cut_point_forward(last, last.size() - (kMaxPathChars - 3));
    return "…" + std::string(last.substr(from));
  }
  std::string out = first > 0 ? "…" : "";
  for (size_t k = first; k < pieces.size(); ++k) out.append(k == 0 && first == 0 ? "" : "/").append(pieces[k]);
  return out;
}

std::string Story::who(const std::string& pid) const {
  std::string p = path(pid);
  if (p.empty()) return pid;
  if (p.size() > pid.size() && p.compare(p.size() - pid.size(), pid.size(), pid) == 0) return p;  // (ends in the pid already)
  return p + " " + pid;
}

std::string Story::line(const TraceEvent& e, const std::string& text, const char* colour) const {
  if (!opts_.stamp) return text;
  std::string stamp = opts_.verbose ? fmt::format("{:>8} ms {:>6}  ", e.t, fmt::format("#{}", e.step)) : fmt::format("{:>8} ms  ", e.t);
  if (!opts_.colour) return stamp + text;
  return std::string(kDim) + stamp + kReset + (colour ? colour : "") + text + (colour ? kReset : "");
}

// A message in words: a call's request, a cast, a reply; the rest as the term.
std::string Story::message(const std::string& what) const {
  auto parts = tuple_parts(what);
  if (parts.size() == 3 && parts[0] == "'$gen_call'") return "call " + parts[2];
  if (parts.size() == 2 && parts[0] == "'$gen_cast'") return "cast " + parts[1];
  return what;
}

bool Story::placed(const std::string& sup) const { return roots_.count(sup) || child_of_.count(sup); }

void Story::started(const TraceEvent& e, std::vector<std::string>& out) {
  // A supervisor's own children, reported before it was placed, are told right after it, depth
  // first, with a stack of our own: a chain of such supervisors may be deeper than the call stack.
  std::vector<std::pair<std::vector<TraceEvent>, size_t>> pending;
  const TraceEvent* next = &e;
  while (next) {
    const std::string& pid = (*next)["pid"];
    child_of_[pid] = {(*next)["sup"], (*next)["id"]};
    std::string child = path(pid);
    bool again = last_pid_.count(child) > 0;
    last_pid_[child] = pid;
    out.push_back(line(*next, again ? child + " restarted as " + pid : child + " " + pid + " started", kGreen));
    if (auto it = waiting_.find(pid); it != waiting_.end()) {
      pending.emplace_back(std::move(it->second), 0);
      waiting_.erase(it);
    }
    next = nullptr;
    while (!pending.empty() && !next) {
      auto& [reports, at] = pending.back();
      if (at < reports.size()) next = &reports[at++];
      else pending.pop_back();
    }
  }
}

void Story::release(const std::string& sup, std::vector<std::string>& out) {
  auto it = waiting_.find(sup);
  if (it == waiting_.end()) return;
  std::vector<TraceEvent> reports = std::move(it->second);
  waiting_.erase(it);
  for (const TraceEvent& r : reports) started(r, out);
}

std::vector<std::string> Story::flush() {
  std::vector<std::string> out;
  while (!waiting_.empty()) {
    std::string sup = waiting_.begin()->first;
    roots_.insert(sup);
    release(sup, out);
  }
  return out;
}

std::vector<std::string> Story::tell(const TraceEvent& e) {
  assert(!finished_ && "a finished story is told no more (its paths are remembered)");
  std::vector<std::string> out;
  const bool v = opts_.verbose;
  // Anything but the start protocol means every supervisor still waiting was started by no
  // supervisor: a root.
  bool starting = e.ev == "spawn" || (e.ev == "supervisor" && e["report"] == "child_started") ||
                  (e.ev == "deliver" && (e["sig"] != "message" || starts_with(e["what"], "{ack,")));
  if (!starting && !waiting_.empty()) out = flush();
  if (e.ev == "spawn") {
    parent_[e["pid"]] = e["parent"];
    if (top_.empty() && e["parent"] == "<0.0.0>") top_ = e["pid"];
    if (v) out.push_back(line(e, who(e["parent"]) + " spawned " + e["pid"]));
  } else if (e.ev == "supervisor") {
    const std::string& sup = e["sup"];
    const std::string& report = e["report"];
    supervisors_.insert(sup);
    if (report == "child_started") {
      if (placed(sup)) started(e, out);
      else waiting_[sup].push_back(e);
      return out;
    }
    if (!placed(sup)) roots_.insert(sup);  // (a supervisor that failed to start reports before anyone places it)
    std::string child = path(sup) + "/" + e["id"];
    if (report == "child_terminated") {
      out.push_back(line(e, who(sup) + " saw " + e["id"] + " exit: " + e["reason"]));
    } else if (report == "reached_max_restart_intensity") {
      out.push_back(line(e, who(sup) + " reached max restart intensity (last exit: " + e["id"] + "); it gives up and exits shutdown", kRed));
    } else if (report == "start_error") {
      out.push_back(line(e, child + " failed to start: " + e["reason"], kRed));
    } else if (report == "shutdown_error") {
      out.push_back(line(e, child + " ended with " + e["reason"] + " while being shut down", kYellow));
    } else {
      out.push_back(line(e, who(sup) + " reports " + report + " for " + e["id"]));
    }
  } else if (e.ev == "exit") {
    const std::string& pid = e["pid"];
    const std::string& reason = e["reason"];
    std::string text;
    if (auto k = killed_by_.find(pid); k != killed_by_.end() && reason == "killed")
      text = who(pid) + (asked_to_stop_.count(pid) ? " killed by its supervisor after the shutdown timeout" : " killed by its supervisor (brutal_kill)");
    else if (auto s = asked_to_stop_.find(pid); s != asked_to_stop_.end() && (reason == "shutdown" || starts_with(reason, "{shutdown,")))
      text = who(pid) + " shut down by its supervisor";
    else
      text = who(pid) + " " + ending(reason);
    const char* colour = reason == "normal" ? nullptr : (reason == "shutdown" || starts_with(reason, "{shutdown,")) ? kYellow : kRed;
    out.push_back(line(e, text, colour));
    asked_to_stop_.erase(pid);
    killed_by_.erase(pid);
  } else if (e.ev == "deliver") {
    const std::string& sig = e["sig"];
    const std::string& from = e["from"];
    const std::string& to = e["to"];
    auto spawner = parent_.find(to);
    const bool from_sup = supervisors_.count(from) > 0 && spawner != parent_.end() && spawner->second == from;
    if (sig == "exit" && from_sup) {
      if (e["what"] == "kill") killed_by_[to] = from;
      else if (e["what"] == "shutdown" || starts_with(e["what"], "{shutdown,")) asked_to_stop_[to] = from;
    }
    const std::string& w = e["what"];  // start acks, sys requests and their answers, process_info answers
    bool bookkeeping = sig != "message" || starts_with(w, "{ack,") || starts_with(w, "{system,") || starts_with(w, "{sys_reply,") ||
                       starts_with(w, "{process_info,");
    std::string text = message(e["what"]);
    if (starts_with(text, "call {which_children") || starts_with(text, "call which_children") ||
        starts_with(text, "call count_children") || starts_with(text, "call {count_children"))
      bookkeeping = true;  // the scenario looking at the tree
    if (bookkeeping && !v) return out;
    std::string what = sig == "message" ? text : sig + (e["what"] == "undefined" ? std::string() : " " + e["what"]);
    out.push_back(line(e, who(to) + " <- " + what + " from " + who(from) + (e["dead"] == "true" ? " (dropped: it is gone)" : "")));
  } else if (e.ev == "sys") {  // sys::trace, asked for
    out.push_back(line(e, who(e["pid"]) + " " + e["what"]));
  } else if (e.ev == "timer") {
    if (v) out.push_back(line(e, who(e["to"]) + " <- timer " + e["what"]));
  } else if (e.ev == "fault") {
    out.push_back(line(e, "fault point " + e["point"] + " fires", kRed));
  } else if (e.ev == "inject") {
    out.push_back(line(e, "fault injected: " + e["fault"] + " " + who(e["pid"]) + (e["reason"].empty() ? "" : " with " + e["reason"]), kRed));
  } else {
    std::string text = e.ev;
    for (const auto& [k, val] : e.fields) text += " " + k + "=" + val;
    out.push_back(line(e, text));
  }
  return out;
}

std::vector<std::string> last_told(const std::vector<std::string>& trace, size_t n, const StoryOptions& opts) {
  Story story(opts);
  std::vector<std::string> out;
  auto keep = [&](std::vector<std::string> lines) {
    for (auto& l : lines) out.push_back(std::move(l));
    if (out.size() > 2 * n + 64) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(n));
  };
  for (const std::string& line : trace) keep(story.tell(parse_trace_line(line)));
  keep(story.flush());
  if (out.size() > n) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(n));
  return out;
}

}  // namespace otp::sim
