#pragma once
// What the CLI's commands (testing/cli*.cpp) share: exit codes, the bounds on its numbers,
// where a run's trace goes, and how a target (a scenario file, a suite, a test) is found, run
// and shrunk. Internal to the command line: not installed.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <otpsim/sim/chrome_trace.hpp>
#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/html_trace.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/story.hpp>
#include <otpsim/sim/trace_event.hpp>
#include <otpsim/sim/token.hpp>
#include <otpsim/testing/registry.hpp>

namespace otp::testing::cli {

using sim::Scenario;
using sim::Story;
using sim::TraceEvent;

inline constexpr int kOk = 0, kFailed = 1, kBadInput = 2, kBug = 3;

// Bounds on the CLI's own numbers (docs/cli.md "Limits"); the scenario, term and token bounds
// are in sim/limits.hpp.
inline constexpr uint64_t kMaxSeeds = 1'000'000;          // check --seeds
inline constexpr unsigned kMaxJobs = 256;                  // check / explore --jobs
inline constexpr uint32_t kMaxBound = 64;                  // explore --bound
inline constexpr uint64_t kMaxSchedules = 10'000'000;     // explore --max-schedules
inline constexpr uint64_t kMaxSeconds = 604'800;           // explore --max-seconds (a week)

extern std::string g_program;  // how replay lines name this program; set once by cli_main, before any thread starts

// Whether two paths name one file (either may not exist yet).
bool same_file(const std::string& a, const std::string& b);
// A path made absolute and normalised ("x.out" and "./x.out" give one), whether or not it exists;
// nothing when the file system cannot say.
std::optional<std::string> canonical_name(const std::string& path);
// The outputs (--trace, --html; "" when not given) must be files of their own: not one file for
// both (the page would land in the trace), nor the token file each run writes first
// (otpsim-last-token[.N].txt in the working directory), which would end up as the other.
void refuse_shared_outputs(const std::string& trace, const std::string& html);
// An output (--trace, --html) must not be the file being read: it would be emptied before it is read,
// or overwritten once it has been (a scenario turned into a trace, a token's file lost).
// (TraceOut, which opens both, refuses shared outputs itself.)
void refuse_overwrite(const std::string& trace, const std::string& html, const std::string& in, const char* what);

// How a run's trace is shown on stdout: the readable event log (text), today's machine trace
// (jsonl), Chrome/Perfetto Trace Event JSON (chrome), or nothing (quiet).
enum class Shown : uint8_t { text, jsonl, chrome, quiet };

Shown parse_format(const std::string& f);

// A run's trace as it happens: shown on stdout (see Shown) and written to the --trace file as
// JSON lines, so a long run (up to the runner's step bound) is never held in memory (chrome
// output excepted: it is one JSON document). The file is opened before the run: a bad path is an
// error up front, not a trace silently lost. The readable log's last lines are kept, so a
// failure can show what led to it.
class TraceOut : public std::streambuf {
 public:
  TraceOut(Shown shown, const std::string& path, bool verbose, std::string top_name, const std::string& html = {})
      : shown_(shown), path_(path), top_name_(top_name), story_({.verbose = verbose, .colour = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"), .top_name = top_name}) {
    refuse_shared_outputs(path, html);
    if (!html.empty()) {
      html_.open(html);
      if (!html_) throw std::invalid_argument("--html: cannot write '" + html + "': " + std::strerror(errno));
      html_path_ = html;
    }
    if (path.empty()) return;
    file_.open(path);
    if (!file_) throw std::invalid_argument("--trace: cannot write '" + path + "': " + std::strerror(errno));
  }
  std::ostream* stream() { return &os_; }
  // The page's title and the schedule's decisions (an explored failure), for --html.
  void finish(const std::string& title = {}, const std::vector<uint32_t>& decisions = {}) {
    if (!unreadable_.empty()) throw std::logic_error(unreadable_);  // a bug in the trace's writer
    for (std::string& l : story_.flush()) keep(std::move(l));
    if (shown_ == Shown::chrome) std::fputs(chrome_trace_json(events_, top_name_).c_str(), stdout);
    if (html_.is_open()) {
      html_ << html_trace(events_, {.title = title, .top_name = top_name_, .decisions = decisions});
      html_.flush();
      if (!html_) throw std::invalid_argument("--html: writing '" + html_path_ + "' failed: " + std::strerror(errno));
    }
    if (!file_.is_open()) return;
    if (file_) {
      file_.flush();
      if (!file_) write_errno_ = errno;
    }
    if (!file_)
      throw std::invalid_argument("--trace: writing '" + path_ + "' failed: " + (write_errno_ ? std::strerror(write_errno_) : "an I/O error"));
  }
  // The readable lines about `path` among the last ones (all of the last few when path is "").
  std::vector<std::string> led_to(const std::string& path, size_t n) const {
    std::vector<std::string> out;
    for (auto it = plain_.rbegin(); it != plain_.rend() && out.size() < n; ++it)
      if (path.empty() || it->find(path) != std::string::npos) out.insert(out.begin(), *it);
    return out;
  }

 private:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    char ch = static_cast<char>(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (file_.is_open() && file_) {
      file_.write(s, n);
      if (!file_) write_errno_ = errno;  // what failed now, not whatever later calls leave in errno
    }
    if (shown_ == Shown::jsonl) std::fwrite(s, 1, static_cast<size_t>(n), stdout);  // stdio: ordered with fmt::print
    for (std::streamsize i = 0; i < n; ++i) {
      if (s[i] != '\n') {
        line_ += s[i];
        continue;
      }
      TraceEvent e;
      try {
        e = sim::parse_trace_line(line_);
      } catch (const std::invalid_argument& x) {  // the stream would swallow it and drop the rest
        if (unreadable_.empty()) unreadable_ = "event " + std::to_string(events_read_ + 1) + " of the trace cannot be read back: " + x.what();
        line_.clear();
        continue;
      }
      ++events_read_;
      line_.clear();
      if (shown_ == Shown::chrome || html_.is_open()) events_.push_back(e);
      for (std::string& l : story_.tell(e)) keep(std::move(l));
    }
    return n;
  }
  void keep(std::string l) {
    if (shown_ == Shown::text) fmt::print("{}\n", l);
    plain_.push_back(strip_colour(std::move(l)));
    if (plain_.size() > kKept) plain_.pop_front();
  }
  static std::string strip_colour(std::string l) {
    std::string out;
    for (size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '\033') {
        while (i < l.size() && l[i] != 'm') ++i;
        continue;
      }
      out += l[i];
    }
    return out;
  }
  static constexpr size_t kKept = 4096;
  Shown shown_;
  std::string path_;
  std::string top_name_;
  Story story_;
  std::string line_;
  std::deque<std::string> plain_;
  std::vector<TraceEvent> events_;
  std::ofstream html_;
  std::string html_path_;
  std::ofstream file_;
  int write_errno_ = 0;  // errno of the first failed write to file_
  std::string unreadable_;  // the first line the trace's own reader refused
  size_t events_read_ = 0;
  std::ostream os_{this};
};

// A failure names what it is about ("expected inner/flaky to ..."): the tree path to look for.
std::string failure_subject(const std::string& failure);
void print_failures(const std::vector<std::string>& failures, const TraceOut& trace, const std::string& indent = "");

struct Display {
  Shown shown = Shown::text;
  bool verbose = false;
  std::string html;  // write the HTML viewer here
};

std::vector<std::string> suite_names();
// The suites as a list for messages: those all-suites runs, then those run by name only.
std::string suites_text();
std::vector<std::string> test_names();
// The tests as a list for messages ("" when this program registers none).
std::string tests_text();
// The scenario files that paths (files or directories of *.toml) name, sorted.
std::vector<std::string> scenario_files(const std::vector<std::string>& args);

// One run of a target from a seed or a recorded choice list: a registry entry's run, or a
// scenario's (choices: the Chooser's decisions; no key, the failure text says how it failed).
using TargetRun = EntryRun;
// The registry entry a "suite/<name>" or "test/<name>" target names, or nullptr (a scenario).
const Entry* entry_of(const std::string& target);
TargetRun run_target(const std::string& target, uint64_t seed, const std::optional<std::vector<uint32_t>>& choices,
                     std::ostream* trace_out, const Scenario* loaded = nullptr);
// Shrink a failing run's choice list; prints and returns the shrunk token.
std::string shrink_and_report(const std::string& target, uint64_t seed, const std::vector<uint32_t>& failing,
                              const std::string& first_failure, const Scenario* loaded);
// A token whose target this program can run.
Token read_token(const std::string& text);

// seeds / base: the flags, if given; else OTPSIM_RUNS / OTPSIM_SEED; else a test's own
// config (runs, seed) and 20 seeds from seed 1 for suites and scenarios.
int cmd_check(std::vector<std::string> args, std::optional<uint64_t> seeds_flag, std::optional<uint64_t> base_flag, unsigned jobs,
              std::string shard, bool shrink);

// The explore flags besides ExploreOptions; *_given: the flag was on the command line.
struct ExploreFlags {
  unsigned jobs = 1;
  bool shrink = true;
  bool max_given = false;
  bool seed_given = false;
  uint64_t max_seconds = 0;  // wall-time budget; 0: none
};

int cmd_explore(const std::string& file, sim::ExploreOptions opts, ExploreFlags flags);

}  // namespace otp::testing::cli
