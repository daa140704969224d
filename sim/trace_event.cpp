#include <otpsim/sim/trace_event.hpp>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace otp::sim {

const std::string& TraceEvent::operator[](std::string_view key) const {
  static const std::string none;
  for (const auto& [k, v] : fields)
    if (k == key) return v;
  return none;
}

TraceEvent parse_trace_line(std::string_view line) {
  // A key given twice would be read as its last value (nlohmann keeps one): the parser's
  // callback sees every key of the line's object (depth 1) and notes the first one repeated.
  std::vector<std::string> keys;
  std::string repeated;
  auto note_keys = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && repeated.empty()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) repeated = k;
      else keys.push_back(k);
    }
    return true;
  };
  // nlohmann's reader takes a NUL byte for the end of its input: what follows would be dropped.
  if (size_t nul = line.find('\0'); nul != std::string_view::npos)
    throw std::invalid_argument("a NUL byte at column " + std::to_string(nul + 1));
  nlohmann::json j = nlohmann::json::parse(line, note_keys, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Where the JSON went wrong: at the end, a line cut short; before it, a byte that is not
    // UTF-8 or not JSON (say which column rather than guess a cut).
    size_t at = line.size() + 1;
    try {
      (void)nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& pe) {
      at = pe.byte;
    } catch (const nlohmann::json::out_of_range&) {  // 9e999: no column, a number past a double
      throw std::invalid_argument("not valid JSON: a number out of range");
    }
    if (at <= line.size())
      throw std::invalid_argument("not valid JSON at column " + std::to_string(at) + " (a byte that is not UTF-8, or not JSON)");
    throw std::invalid_argument("not a JSON object (is the line cut short?)");
  }
  if (!j.is_object()) throw std::invalid_argument("expected a JSON object, got " + std::string(j.type_name()));
  if (!repeated.empty()) throw std::invalid_argument("field \"" + repeated + "\" given twice");
  TraceEvent e;
  auto t = j.find("t"), step = j.find("step"), ev = j.find("ev");
  if (t == j.end() || !t->is_number_integer()) throw std::invalid_argument("expected an integer \"t\" (virtual ms)");
  if (step == j.end() || !step->is_number_unsigned()) throw std::invalid_argument("expected a whole-number \"step\"");
  if (ev == j.end() || !ev->is_string()) throw std::invalid_argument("expected a string \"ev\" (the event)");
  if (t->is_number_unsigned() && t->get<uint64_t>() > static_cast<uint64_t>(kMaxTraceMs))  // not read as a negative
    throw std::invalid_argument("\"t\" must be 0.." + std::to_string(kMaxTraceMs) + " (virtual ms), got " + std::to_string(t->get<uint64_t>()));
  e.t = t->get<int64_t>();
  e.step = step->get<uint64_t>();
  e.ev = ev->get<std::string>();
  if (e.t < 0 || e.t > kMaxTraceMs)
    throw std::invalid_argument("\"t\" must be 0.." + std::to_string(kMaxTraceMs) + " (virtual ms), got " + std::to_string(e.t));
  const TraceEventKind* kind = std::find_if(std::begin(kTraceEvents), std::end(kTraceEvents),
                                             [&](const TraceEventKind& k) { return k.ev == e.ev; });
  if (kind == std::end(kTraceEvents)) {
    std::string known;
    for (const TraceEventKind& k : kTraceEvents) known += (known.empty() ? "" : ", ") + std::string(k.ev);
    throw std::invalid_argument("unknown event \"" + e.ev + "\" (expected one of " + known + ")");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "t" || it.key() == "step" || it.key() == "ev") continue;
    auto named = [&](const auto& names) { return std::find(std::begin(names), std::end(names), it.key()) != std::end(names); };
    if (it.key().empty() || (!named(kind->fields) && !named(kind->optional))) {
      std::string known;
      for (std::string_view f : kind->fields)
        if (!f.empty()) known += (known.empty() ? "" : ", ") + std::string(f);
      for (std::string_view f : kind->optional)
        if (!f.empty()) known += ", " + std::string(f);
      throw std::invalid_argument("unknown field \"" + it.key() + "\" in a \"" + e.ev + "\" event (its fields: " + known + ")");
    }
    if (!it->is_string()) throw std::invalid_argument("field \"" + it.key() + "\": expected a string");
    e.fields.emplace_back(it.key(), it->get<std::string>());
  }
  for (std::string_view f : kind->fields)
    if (!f.empty() && !j.contains(f)) throw std::invalid_argument("a \"" + e.ev + "\" event needs a string \"" + std::string(f) + "\"");
  if (e.ev == "supervisor" && e["report"] == "child_started")  // the child it places in the tree
    for (const char* f : {"id", "pid"})
      if (!j.contains(f)) throw std::invalid_argument(std::string("a child_started report needs a string \"") + f + "\"");
  return e;
}

std::vector<TraceEvent> read_trace(std::istream& in, const std::string& name) {
  std::vector<TraceEvent> out;
  std::string line;
  size_t n = 0;
  while (true) {
    line.clear();
    char c;
    bool ended = false;
    while (in.get(c)) {
      if (c == '\n') {
        ended = true;
        break;
      }
      if (line.size() == kMaxTraceLineBytes)
        throw std::invalid_argument(name + ":" + std::to_string(n + 1) + ": line longer than " + std::to_string(kMaxTraceLineBytes) + " bytes (the limit)");
      line += c;
    }
    if (!ended && line.empty()) break;
    ++n;
    if (!ended) throw std::invalid_argument(name + ":" + std::to_string(n) + ": the last line has no newline: the trace is truncated");
    if (n > kMaxTraceLines) throw std::invalid_argument(name + ": more than " + std::to_string(kMaxTraceLines) + " lines (the limit)");
    if (line.empty()) throw std::invalid_argument(name + ":" + std::to_string(n) + ": empty line, expected a trace event");
    try {
      TraceEvent e = parse_trace_line(line);
      // The simulator writes events in the order they happen: a trace whose time or step goes
      // back was edited or spliced, and its story would be told wrong.
      if (!out.empty() && (e.t < out.back().t || e.step < out.back().step))
        throw std::invalid_argument("goes back in time: t " + std::to_string(e.t) + ", step " + std::to_string(e.step) +
                                    " after t " + std::to_string(out.back().t) + ", step " + std::to_string(out.back().step));
      out.push_back(std::move(e));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(name + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  if (n == 0) throw std::invalid_argument(name + ": empty, expected JSON-lines trace events");
  return out;
}

}  // namespace otp::sim
