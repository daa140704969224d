#pragma once
// A trace as one self-contained HTML page (inline CSS and JS, no network): a lane per process,
// grouped by supervision path, its lifetime over the run's steps with restarts and exits marked
// (reasons on hover); a step scrubber; a sequence chart of the signals around the selected step
// (arrows from sender to receiver); the tree at that step (every process alive, its path, what
// it last did); and, for an explored failure, its decisions with the non-canonical ones marked.
// Lanes and arrows are drawn only where they are in view, so a 100,000-step trace stays usable.
#include <cstdint>
#include <string>
#include <vector>

#include <otpsim/sim/trace_event.hpp>

namespace otp::sim {

struct HtmlOptions {
  std::string title;
  std::string top_name = "main";        // the first process the world starts
  std::vector<uint32_t> decisions{};    // an explored schedule's decision list (shown when not empty)
};

std::string html_trace(const std::vector<TraceEvent>& events, const HtmlOptions& opts);

}  // namespace otp::sim
