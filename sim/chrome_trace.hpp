#pragma once
// A trace as Chrome's Trace Event Format (JSON), which ui.perfetto.dev and chrome://tracing
// open: each process a track named by its supervision path, its lifetime a slice (spawn to
// exit), each event an instant on its track, each signal a flow arrow from sender to receiver.
// Time: virtual ms as ms (1,000 us), steps within one ms as us, so events of one ms keep their
// order. A process's turns are not in the trace, so they are not slices.
#include <string>
#include <vector>

#include <otpsim/sim/trace_event.hpp>

namespace otp::sim {

std::string chrome_trace_json(const std::vector<TraceEvent>& events, const std::string& top_name = "main");

}  // namespace otp::sim
