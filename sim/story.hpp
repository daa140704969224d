#pragma once
// The readable event log: a trace told as a person reads it. Each process is named by its
// supervision path (root/inner/flaky, from the supervisors' child_started reports; a process
// outside the tree by its spawner's path and its pid), and each event in words: started,
// restarted as, crashed with, shut down by its supervisor, killed after the shutdown timeout,
// reached max restart intensity, failed to start. Calls and casts are summarised; kernel
// bookkeeping (monitors of a call, replies, start acks, timers, exit signals) shows only when
// verbose. Lines are fed one event at a time, so a long run is told as it happens.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <otpsim/sim/trace_event.hpp>

namespace otp::sim {

// How many supervisors and spawners a process's path names at most, from it upward (a path cut
// there starts at the pid it reached, as a process not placed in the tree).
inline constexpr size_t kMaxPathDepth = 256;
// How long a path is written at most (bytes): a longer one keeps its lower end behind "…/".
inline constexpr size_t kMaxPathChars = 512;

struct StoryOptions {
  bool verbose = false;  // every event, bookkeeping included
  bool colour = false;   // ANSI colours (a terminal)
  bool stamp = true;     // each line starts with its virtual time (and step, verbose)
  // The name of the first process the world starts (a scenario's driver, a test's body).
  std::string top_name = "main";
  // Names processes instead of what this story knows so far (a story told once already, which
  // knows every final path: a page drawn after the run).
  const class Story* names = nullptr;
};

class Story {
 public:
  explicit Story(StoryOptions opts = {}) : opts_(std::move(opts)) {}

  // The lines this event adds (none for bookkeeping unless verbose). A tree starts bottom-up (a
  // supervisor reports its children before its own supervisor reports it), so the lines of a
  // supervisor not yet placed wait until it is, or until the next event that is not part of
  // starting (it is then a root).
  std::vector<std::string> tell(const TraceEvent& e);
  // The lines still waiting (at the end of a trace).
  std::vector<std::string> flush();
  // "root/inner/flaky <0.4.0>", or the pid alone when nothing names it.
  std::string who(const std::string& pid) const;
  // The supervision path of a pid ("" when it has none).
  std::string path(const std::string& pid) const;
  // The story is told to its end: tell no more; paths are remembered once found (a page asks
  // for each one many times).
  void finish() { finished_ = true; }

 private:
  std::string walk_path(const std::string& pid) const;
  std::string line(const TraceEvent& e, const std::string& text, const char* colour = nullptr) const;
  std::string message(const std::string& what) const;
  bool placed(const std::string& sup) const;
  void started(const TraceEvent& e, std::vector<std::string>& out);
  void release(const std::string& sup, std::vector<std::string>& out);

  StoryOptions opts_;
  std::map<std::string, std::pair<std::string, std::string>> child_of_;  // pid -> (supervisor pid, child id)
  std::set<std::string> roots_;                        // supervisors no supervisor started
  std::map<std::string, std::vector<TraceEvent>> waiting_;  // supervisor not yet placed -> its child_started reports
  std::map<std::string, std::string> parent_;          // pid -> spawner pid
  std::map<std::string, std::string> last_pid_;        // path -> its latest pid
  std::set<std::string> supervisors_;                  // pids seen reporting as supervisors
  std::string top_;                                    // the first process spawned by the world
  std::map<std::string, std::string> asked_to_stop_;   // pid -> the supervisor that sent it shutdown
  std::map<std::string, std::string> killed_by_;       // pid -> the supervisor that sent it kill
  bool finished_ = false;
  mutable std::unordered_map<std::string, std::string> known_paths_;  // once finished
};

// The last `n` lines of the log of a whole trace (JSON lines as the simulator writes them).
std::vector<std::string> last_told(const std::vector<std::string>& trace, size_t n, const StoryOptions& opts = {});

}  // namespace otp::sim
