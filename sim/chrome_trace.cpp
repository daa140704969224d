#include <otpsim/sim/chrome_trace.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include <otpsim/core/kernel/utf8.hpp>
#include <otpsim/sim/story.hpp>

namespace otp::sim {
namespace {

// "<0.12.0>" -> 12 (a track id); 0 for anything else.
int64_t track_of(const std::string& pid) {
  if (pid.size() < 6 || pid.rfind("<0.", 0) != 0) return 0;
  try {
    return std::stoll(pid.substr(3, pid.find('.', 3) - 3));
  } catch (...) {
    return 0;
  }
}

}  // namespace

std::string chrome_trace_json(const std::vector<TraceEvent>& events, const std::string& top_name) {
  using nlohmann::json;
  json out = json::array();
  Story story({.top_name = top_name});
  std::map<std::string, int64_t> born;  // pid -> ts
  int64_t last_ms = -1, within = 0, ts = 0, flow = 0;
  auto stamp = [&](const TraceEvent& e) {
    if (e.t != last_ms) last_ms = e.t, within = 0;
    else if (within < 999) ++within;
    ts = e.t * 1000 + within;
  };
  auto instant = [&](const std::string& pid, const std::string& name, json args) {
    out.push_back({{"ph", "i"}, {"s", "t"}, {"name", name}, {"pid", 1}, {"tid", track_of(pid)}, {"ts", ts}, {"args", std::move(args)}});
  };
  for (const TraceEvent& e : events) {
    stamp(e);
    story.tell(e);  // (names by supervision path as the events arrive)
    json args = {{"virtual_ms", e.t}, {"step", e.step}};
    for (const auto& [k, v] : e.fields) args[k] = v;
    if (e.ev == "spawn") {
      born[e["pid"]] = ts;
      instant(e["pid"], "spawn", args);
    } else if (e.ev == "exit") {
      const std::string& pid = e["pid"];
      auto b = born.find(pid);
      int64_t start = b == born.end() ? 0 : b->second;
      out.push_back({{"ph", "X"}, {"name", story.who(pid)}, {"pid", 1}, {"tid", track_of(pid)}, {"ts", start}, {"dur", ts - start},
                     {"args", {{"reason", e["reason"]}}}});
      instant(pid, "exit " + e["reason"], args);
      if (b != born.end()) born.erase(b);
    } else if (e.ev == "deliver") {
      const std::string& from = e["from"];
      const std::string& to = e["to"];
      std::string name = e["sig"] == "message" ? e["what"] : e["sig"];
      if (name.size() > 80) name = name.substr(0, utf8::cut_point(name, 77)) + "...";
      ++flow;
      out.push_back({{"ph", "s"}, {"name", "signal"}, {"cat", e["sig"]}, {"id", flow}, {"pid", 1}, {"tid", track_of(from)}, {"ts", ts}});
      instant(to, name, args);
      out.push_back({{"ph", "f"}, {"bp", "e"}, {"name", "signal"}, {"cat", e["sig"]}, {"id", flow}, {"pid", 1}, {"tid", track_of(to)}, {"ts", ts}});
    } else if (e.ev == "supervisor") {
      instant(e["sup"], e["report"] + " " + e["id"], args);
    } else {
      const std::string& pid = !e["pid"].empty() ? e["pid"] : e["to"];
      instant(pid, e.ev, args);
    }
  }
  for (const auto& [pid, start] : born)  // alive at the end
    out.push_back({{"ph", "X"}, {"name", story.who(pid)}, {"pid", 1}, {"tid", track_of(pid)}, {"ts", start}, {"dur", ts - start},
                   {"args", {{"reason", "alive at the end"}}}});
  // Track names: every pid seen, by the path the story knows at the end.
  std::map<int64_t, std::string> tracks;
  for (const TraceEvent& e : events)
    for (const char* key : {"pid", "from", "to", "sup", "parent"})
      if (!e[key].empty() && track_of(e[key]) != 0) tracks[track_of(e[key])] = story.who(e[key]);
  out.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", 1}, {"tid", 0}, {"args", {{"name", "otpsim world"}}}});
  for (const auto& [tid, name] : tracks)
    out.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"tid", tid}, {"args", {{"name", name}}}});
  json doc = {{"traceEvents", std::move(out)}, {"displayTimeUnit", "ms"}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace otp::sim
