#pragma once
// One line of the simulator's trace (sim/trace.hpp) read back: its virtual time, step, event
// name and string fields, for the readable log, the Chrome/Perfetto export and the viewer.
#include <array>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otp::sim {

struct TraceEvent {
  int64_t t = 0;      // virtual ms
  uint64_t step = 0;  // executor step
  std::string ev;     // one of kTraceEvents
  std::vector<std::pair<std::string, std::string>> fields;
  // The field's value, or "" when the event has none.
  const std::string& operator[](std::string_view key) const;
};

// Bounds on a trace read from outside: a line is at most 1 MiB, a file at most 10,000,000 lines,
// a time at most 10^15 virtual ms (~31,700 years: the Chrome export's microseconds stay far from
// overflow).
inline constexpr size_t kMaxTraceLineBytes = size_t{1} << 20;
inline constexpr size_t kMaxTraceLines = 10'000'000;
inline constexpr int64_t kMaxTraceMs = 1'000'000'000'000'000;
// The events the simulator writes, each with the fields every event of that name carries (a
// supervisor report adds id, pid or reason by report; a child_started report needs id and pid).
// Any other event name in a trace read back is an error, and so is an event without one of its
// fields (not a line told with a blank).
// A field that is neither one of them nor one of the event's optional ones is an error too: the
// simulator never writes it, so the line was edited or comes from something else.
struct TraceEventKind {
  std::string_view ev;
  std::array<std::string_view, 5> fields;    // the first ones; the rest empty
  std::array<std::string_view, 3> optional{};  // fields some events of that name add
};
inline constexpr TraceEventKind kTraceEvents[] = {
    {"spawn", {{"pid", "parent"}}},
    {"exit", {{"pid", "reason"}}},
    {"deliver", {{"sig", "from", "to", "what", "dead"}}},
    {"supervisor", {{"sup", "report"}}, {{"id", "pid", "reason"}}},
    {"sys", {{"pid", "what"}}},
    {"timer", {{"to", "what"}}},
    {"fault", {{"point"}}},
    {"inject", {{"pid", "fault", "reason"}}},
};

// Parses one line; throws std::invalid_argument saying what was expected.
TraceEvent parse_trace_line(std::string_view line);
// Reads a JSON-lines trace; errors name `name` and the line ("t.jsonl:12: ..."). A last line
// without its newline is a truncated trace, and an error; so is a time or step that goes back.
std::vector<TraceEvent> read_trace(std::istream& in, const std::string& name);

}  // namespace otp::sim
