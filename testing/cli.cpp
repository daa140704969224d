// The shared command line: run, check, explore, replay and shrink scenarios, suites and
// simulation tests on the deterministic simulator.
// Exit codes: 0 ok, 1 an expectation or property failed, 2 bad input.
#include <otpsim/testing/cli.hpp>
#include <otpsim/testing/parallel_dpor.hpp>
#include <otpsim/testing/threads.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_set>

#include <fmt/ranges.h>

#include <otpsim/sim/chrome_trace.hpp>
#include <otpsim/sim/dpor.hpp>
#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/html_trace.hpp>
#include <otpsim/sim/story.hpp>
#include <otpsim/sim/trace_event.hpp>
#include <otpsim/sim/shrink.hpp>
#include <otpsim/sim/token.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/seed_spread.hpp>
#include <otpsim/sim/state_sampler.hpp>
#include <otpsim/testing/check.hpp>
#include <otpsim/testing/env.hpp>
#include <otpsim/testing/registry.hpp>

namespace fs = std::filesystem;
using namespace otp::sim;

namespace otp::testing {
namespace {

std::string g_program = "otpsim";  // set once by cli_main, before any thread starts

constexpr int kOk = 0, kFailed = 1, kBadInput = 2, kBug = 3;

// Bounds on the CLI's own numbers (docs/cli.md "Limits"); the scenario, term and token bounds
// are in sim/limits.hpp.
constexpr uint64_t kMaxSeeds = 1'000'000;          // check --seeds
constexpr unsigned kMaxJobs = 256;                  // check / explore --jobs
constexpr uint32_t kMaxBound = 64;                  // explore --bound
constexpr uint64_t kMaxSchedules = 10'000'000;     // explore --max-schedules
constexpr uint64_t kMaxSeconds = 604'800;           // explore --max-seconds (a week)

// Numeric flags go through whole_number (env.hpp): CLI11 alone converts "-1" to 2^64-1.
CLI::Validator whole(uint64_t lo, uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& in) -> std::string {
        if (whole_number(in, lo, hi)) return {};
        return fmt::format("must be a whole number in {}..{}, got '{}'", lo, hi, in);
      },
      fmt::format("{}..{}", lo, hi));
}

// A path or a shard given as "" would quietly turn the option off (no file written, every shard run).
CLI::Validator non_empty() {
  return CLI::Validator([](std::string& in) -> std::string { return in.empty() ? "must not be empty" : std::string(); }, "NONEMPTY");
}

// Whether two paths name one file (either may not exist yet).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ea, eb;
  fs::path ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
  return !ea && !eb && ca == cb;
}

// The outputs (--trace, --html; "" when not given) must be files of their own: not one file for
// both (the page would land in the trace), nor the token file each run writes first
// (otpsim-last-token[.N].txt in the working directory), which would end up as the other.
void refuse_shared_outputs(const std::string& trace, const std::string& html) {
  if (!trace.empty() && !html.empty() && same_file(trace, html))
    throw std::invalid_argument(fmt::format("--trace and --html are both '{}': each needs a file of its own", trace));
  for (auto [flag, out] : {std::pair{"--trace", &trace}, std::pair{"--html", &html}}) {
    if (out->empty()) continue;
    const std::string name = fs::path(*out).filename().string();
    if (name.starts_with("otpsim-last-token") && same_file(fs::path(*out).parent_path().empty() ? "." : fs::path(*out).parent_path().string(), "."))
      throw std::invalid_argument(fmt::format("{}: '{}' is where otpsim keeps the last run's token; write it elsewhere", flag, *out));
  }
}

// An output (--trace, --html) must not be the file being read: it would be emptied before it is read,
// or overwritten once it has been (a scenario turned into a trace, a token's file lost).
// `trace` and `html` are the --trace and --html paths ("" when not given).
void refuse_overwrite(const std::string& trace, const std::string& html, const std::string& in, const char* what) {
  refuse_shared_outputs(trace, html);
  for (auto [flag, out] : {std::pair{"--trace", &trace}, std::pair{"--html", &html}})
    if (!out->empty() && same_file(*out, in))
      throw std::invalid_argument(fmt::format("{}: '{}' is the {} being read; write it elsewhere", flag, *out, what));
}

// How a run's trace is shown on stdout: the readable event log (text), today's machine trace
// (jsonl), Chrome/Perfetto Trace Event JSON (chrome), or nothing (quiet).
enum class Shown : uint8_t { text, jsonl, chrome, quiet };

Shown parse_format(const std::string& f) {
  if (f == "text") return Shown::text;
  if (f == "jsonl") return Shown::jsonl;
  if (f == "chrome") return Shown::chrome;
  throw std::invalid_argument("--format must be text, jsonl or chrome, got '" + f + "'");
}

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
        e = parse_trace_line(line_);
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
std::string failure_subject(const std::string& failure) {
  auto at = failure.find("expected ");
  if (at == std::string::npos) return "";
  at += 9;
  if (failure.compare(at, 19, "the root supervisor") == 0) return "root ";
  auto end = failure.find(' ', at);
  std::string subject = failure.substr(at, end == std::string::npos ? std::string::npos : end - at);
  if (subject.find('/') == std::string::npos && !std::all_of(subject.begin(), subject.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
    return "";
  return "root/" + subject;
}

void print_failures(const std::vector<std::string>& failures, const TraceOut& trace, const std::string& indent = "") {
  for (const auto& f : failures) {
    fmt::print("{}FAIL {}\n", indent, f);
    std::string subject = failure_subject(f);
    std::vector<std::string> lines = trace.led_to(subject, 12);
    if (lines.empty()) continue;
    fmt::print("{}  what led to it{}:\n", indent, subject.empty() ? "" : " (" + subject + ")");
    for (const auto& l : lines) fmt::print("{}  {}\n", indent, l);
  }
}

struct Display {
  Shown shown = Shown::text;
  bool verbose = false;
  std::string html;  // write the HTML viewer here
};

int cmd_run(const std::string& file, uint64_t seed, const std::string& trace_file, Display how) {
  refuse_overwrite(trace_file, how.html, file, "scenario file");
  Scenario s = load_scenario(file);
  TraceOut trace(how.shown, trace_file, how.verbose, "scenario", how.html);
  std::string token = make_token(file, seed);
  write_token_file(token, 0, g_program);
  ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = seed, .trace_out = trace.stream()});
  trace.finish(fmt::format("{} (seed {})", s.name, seed));
  if (how.shown == Shown::chrome) return o.passed() ? kOk : kFailed;  // stdout is the JSON document
  fmt::print("scenario {} seed {}: {} events, trace hash {:016x}\n", s.name, seed, o.trace_events, o.trace_hash);
  print_failures(o.failures, trace);
  if (!o.passed()) {
    fmt::print("replay: {} replay {}\n", g_program, shell_quoted(token));
    return kFailed;
  }
  fmt::print("ok: all {} expectation(s) met\n", s.expects.size());
  return kOk;
}

std::vector<std::string> suite_names() { return registry().names(Entry::Kind::suite); }
// The suites as a list for messages: those all-suites runs, then those run by name only.
std::string suites_text() {
  std::vector<std::string> by_name;
  for (const Entry* e : registry().all())
    if (e->kind == Entry::Kind::suite && !e->in_all) by_name.push_back(e->name);
  std::string text = fmt::format("{}", fmt::join(suite_names(), ", "));
  if (!by_name.empty()) text += fmt::format("; by name only, expected to fail: {}", fmt::join(by_name, ", "));
  return text;
}
std::vector<std::string> test_names() { return registry().names(Entry::Kind::test); }
// The tests as a list for messages ("" when this program registers none).
std::string tests_text() { return fmt::format("{}", fmt::join(test_names(), ", ")); }

std::vector<std::string> scenario_files(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    std::error_code ec;
    const fs::file_status st = fs::status(a, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw std::invalid_argument("cannot read '" + a + "': " + ec.message());
    if (!fs::exists(st))
      throw std::invalid_argument("'" + a + "' is not a scenario file or directory, nor a registered test or suite (" +
                                  (test_names().empty() ? std::string() : fmt::format("tests: {}, all-tests; ", tests_text())) +
                                  (suite_names().empty() ? std::string("this program has no property suites)")
                                                         : fmt::format("suites: {}; all-suites)", suites_text())));
    if (fs::is_directory(st)) {
      // A directory that gives nothing is an error even beside other targets: a check that
      // names nothing must not pass on what the others bring.
      const size_t before = files.size();
      for (const auto& e : fs::directory_iterator(a, ec))
        if (e.path().extension() == ".toml") files.push_back(e.path().string());
      if (ec) throw std::invalid_argument("cannot read directory '" + a + "': " + ec.message());
      if (files.size() == before) throw std::invalid_argument("'" + a + "' holds no scenario files (*.toml)");
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// One run of a target from a seed or a recorded choice list: a registry entry's run, or a
// scenario's (choices: the Chooser's decisions; no key, the failure text says how it failed).
using TargetRun = EntryRun;

// The registry entry a "suite/<name>" or "test/<name>" target names, or nullptr (a scenario).
const Entry* entry_of(const std::string& target) {
  bool suite = target.rfind("suite/", 0) == 0, test = target.rfind("test/", 0) == 0;
  if (!suite && !test) return nullptr;
  std::string name = target.substr(suite ? 6 : 5);
  const Entry* e = registry().find(name);
  if (!e || (e->kind == Entry::Kind::suite) != suite)
    throw std::invalid_argument(
        std::string("unknown ") + (suite ? "suite" : "test") + " '" + name + "'" +
        (suite ? fmt::format("; the suites: {}", suites_text())
         : test_names().empty()
             ? std::string("; this program defines no simulation tests: replay a test's token with the test binary that defines it "
                           "(e.g. ./my_tests replay '<token>')")
             : fmt::format("; this program's tests: {}", tests_text())));
  return e;
}

TargetRun run_target(const std::string& target, uint64_t seed, const std::optional<std::vector<uint32_t>>& choices,
                     std::ostream* trace_out, const Scenario* loaded = nullptr) {
  if (const Entry* e = entry_of(target)) return e->run(seed, choices, trace_out);
  TargetRun out;
  std::optional<Scenario> own;
  if (!loaded) loaded = &own.emplace(load_scenario(target));
  ScenarioOutcome a = run_scenario(*loaded, ScenarioRun{.seed = seed, .script = choices, .trace_out = trace_out});
  if (!choices) {  // S91: same seed, same trace
    ScenarioOutcome b = run_scenario(*loaded, seed, false);
    if (a.trace_hash != b.trace_hash) a.failures.push_back(loaded->file + ": nondeterminism: same seed, different trace hash");
  }
  out.failures = a.failures;
  out.choices = a.decisions;
  out.diverged = a.replay_diverged;
  return out;
}

// Shrink a failing run's choice list; prints and returns the shrunk token.
std::string shrink_and_report(const std::string& target, uint64_t seed, const std::vector<uint32_t>& failing,
                              const std::string& first_failure, const Scenario* loaded) {
  // Keep a candidate only if it fails the same way: the same property, or the same
  // expectation line of the scenario (its text before " expected").
  auto key = [](const std::string& f) { return f.substr(0, std::min(f.find('\n'), f.find(" expected"))); };
  std::string want = key(first_failure);
  std::string want_key = run_target(target, seed, failing, nullptr, loaded).key;  // tests: verdict and place
  auto fails = [&](const std::vector<uint32_t>& cand) {
    write_token_file(make_token(target, seed, cand), 0, g_program);  // a candidate that hangs is left on disk
    TargetRun r = run_target(target, seed, cand, nullptr, loaded);
    if (!want_key.empty()) return r.key == want_key;
    return std::any_of(r.failures.begin(), r.failures.end(), [&](const std::string& f) { return key(f) == want; });
  };
  ShrinkResult sr = shrink_choices(failing, fails);
  TraceOut told(Shown::quiet, "", false, entry_of(target) ? "test" : loaded ? "scenario" : "main");  // the minimal run, in words
  TargetRun minimal = run_target(target, seed, sr.choices, told.stream(), loaded);
  told.finish();
  std::string token = make_token(target, seed, sr.choices);
  fmt::print("shrunk: {} -> {} choices in {} runs ({} accepted)\n", failing.size(), sr.choices.size(), sr.attempts, sr.accepted);
  if (!minimal.case_text.empty()) fmt::print("  minimal case: {}\n", minimal.case_text);
  print_failures(minimal.failures, told, "  ");
  fmt::print("  {} replay {}\n", g_program, shell_quoted(token));
  return token;
}


// seeds / base: the flags, if given; else OTPSIM_RUNS / OTPSIM_SEED; else a test's own
// config (runs, seed) and 20 seeds from seed 1 for suites and scenarios.
int cmd_check(std::vector<std::string> args, std::optional<uint64_t> seeds_flag, std::optional<uint64_t> base_flag, unsigned jobs,
              std::string shard, bool shrink) {
  struct Target {
    std::string token_name;  // scenario path, suite/<name> or test/<name>
    std::shared_ptr<Scenario> scenario;
    const Entry* entry = nullptr;
    uint64_t seeds = 20, base = 1;
  };
  std::vector<Target> targets;
  std::vector<std::string> paths;
  for (const char* all : {"all-suites", "all-tests"}) {
    if (std::find(args.begin(), args.end(), all) == args.end()) continue;
    args.erase(std::remove(args.begin(), args.end(), all), args.end());
    const auto names = std::string(all) == "all-suites" ? suite_names() : test_names();
    if (names.empty())
      throw std::invalid_argument(std::string(all) + ": this program has no registered " +
                                  (std::string(all) == "all-suites" ? "property suites" : "simulation tests"));
    for (const auto& n : names) args.push_back(n);
  }
  for (const auto& a : args) {
    if (const Entry* e = registry().find(a)) targets.push_back({e->target(), nullptr, e});
    else paths.push_back(a);
  }
  for (const auto& f : scenario_files(paths))
    targets.push_back({f, std::make_shared<Scenario>(load_scenario(f))});  // bad input fails before any run
  if (targets.empty()) throw std::invalid_argument("nothing to check: no scenarios, suites or tests in the given arguments");
  std::optional<uint64_t> env_seeds = env_whole("OTPSIM_RUNS", 1, kMaxSeeds), env_base = env_whole("OTPSIM_SEED", 0, UINT64_MAX);
  const char* shard_from = "--shard";
  if (shard.empty())
    if (auto v = env("OTPSIM_SHARD")) {
      shard = *v;
      shard_from = "OTPSIM_SHARD";
    }
  // Read whatever the targets: a malformed value is an error even where it would not apply.
  if (auto v = env("OTPSIM_STRATEGY"); v && parse_strategy(*v, "OTPSIM_STRATEGY") != Search::random)
    fmt::print("note: check runs random seeds; OTPSIM_STRATEGY={} applies to GoogleTest runs (explore takes --strategy)\n", *v);
  for (auto [name, hi] : {std::pair{"OTPSIM_BOUND", uint64_t{64}}, {"OTPSIM_TIME_BUDGET_MS", uint64_t{86'400'000}}, {"OTPSIM_SHRINK", uint64_t{1}}})
    (void)env_whole(name, 0, hi);
  for (auto& t : targets) {
    Config c = t.entry && t.entry->test ? apply_env(t.entry->test->config) : Config{.runs = 20, .seed = 1};
    t.seeds = seeds_flag.value_or(env_seeds.value_or(std::min<uint64_t>(c.runs, kMaxSeeds)));
    t.base = base_flag.value_or(env_base.value_or(c.seed));
    if (t.seeds - 1 > UINT64_MAX - t.base)  // base + seeds - 1 must not wrap
      throw std::invalid_argument(fmt::format("{} {} with {} {} runs past seed 18446744073709551615",
                                              base_flag ? "--seed" : env_base ? "OTPSIM_SEED" : "the test's seed", t.base,
                                              seeds_flag ? "--seeds" : env_seeds ? "OTPSIM_RUNS" : t.entry && t.entry->test ? "the test's runs" : "the default seeds",
                                              t.seeds));
  }
  uint64_t shard_i = 0, shard_n = 1;
  if (!shard.empty()) std::tie(shard_i, shard_n) = parse_shard(shard, shard_from);
  struct Job {
    size_t target;
    uint64_t seed;
  };
  std::vector<Job> mine;
  size_t k = 0;
  for (size_t i = 0; i < targets.size(); ++i)
    for (uint64_t j = 0; j < targets[i].seeds; ++j, ++k)
      if (k % shard_n == shard_i) mine.push_back({i, targets[i].base + j});
  std::atomic<size_t> next{0}, failed{0}, done{0};
  std::mutex out_mu;
  bool tty = isatty(STDOUT_FILENO);
  std::vector<otp::sim::SeedSpread> spreads(targets.size());  // do different seeds choose differently?
  auto worker = [&](unsigned job_id) {
    for (size_t i; (i = next++) < mine.size();) {
      const Job& j = mine[i];
      std::string token = make_token(targets[j.target].token_name, j.seed);
      write_token_file(token, job_id, g_program);
      const Target& t = targets[j.target];
      TargetRun r = run_target(t.token_name, j.seed, std::nullopt, nullptr, t.scenario.get());
      // A test's failure must replay before its token is printed: two replays, same verdict and trace.
      std::string unconfirmed;
      if (!r.failures.empty() && t.entry && t.entry->test) unconfirmed = confirm(*t.entry->test, j.seed, r.choices, r.key);
      std::optional<TraceOut> told;  // a scenario's failure, replayed once more to tell what led to it
      if (!r.failures.empty() && t.scenario) {
        told.emplace(Shown::quiet, "", false, "scenario");
        run_target(t.token_name, j.seed, r.choices, told->stream(), t.scenario.get());
        told->finish();
      }
      std::lock_guard lock(out_mu);
      if (!t.entry || !t.entry->test) spreads[j.target].add(r.choices);
      ++done;
      if (!r.failures.empty()) {
        ++failed;
        if (tty) fmt::print("\r\033[K");
        fmt::print("FAILED {} seed {}\n", t.token_name, j.seed);
        if (!r.case_text.empty()) fmt::print("  case: {}\n", r.case_text);
        if (told) print_failures(r.failures, *told);
        else for (const auto& f : r.failures) fmt::print("FAIL {}\n", f);
        if (!unconfirmed.empty()) {
          fmt::print("  not reproducible: uncontrolled nondeterminism ({}); no token is printed, since it would not replay "
                     "this failure. Something in the test reads a clock, a thread, an address or an unseeded random source.\n",
                     unconfirmed);
          continue;
        }
        fmt::print("  {} replay {}\n", g_program, shell_quoted(make_token(t.token_name, j.seed, t.entry ? std::optional(r.choices) : std::nullopt)));
        if (shrink) shrink_and_report(t.token_name, j.seed, r.choices, r.failures.front(), t.scenario.get());
      }
      if (tty) {
        fmt::print("\r[{}/{}] {} failed", done.load(), mine.size(), failed.load());
      } else if (mine.size() >= 100 && done % (mine.size() / 10) == 0) {  // CI logs: a plain line per 10 %
        fmt::print("progress: {}/{} runs, {} failed\n", done.load(), mine.size(), failed.load());
      }
      std::fflush(stdout);
    }
  };
  auto started = std::chrono::steady_clock::now();  // the CLI may read the clock; core/ and sim/ never do
  run_on_threads(std::max(1u, jobs), worker);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (tty) fmt::print("\n");
  size_t insensitive = 0;
  for (size_t i = 0; i < targets.size(); ++i)
    if (auto why = spreads[i].verdict()) {
      ++insensitive;
      fmt::print("FAIL {}: {}\n", targets[i].token_name, *why);
    }
  fmt::print("{} passed, {} failed\n", mine.size() - failed.load(), failed.load());
  bool uniform = std::all_of(targets.begin(), targets.end(), [&](const Target& t) { return t.seeds == targets[0].seeds && t.base == targets[0].base; });
  bool any_scenario = std::any_of(targets.begin(), targets.end(), [](const Target& t) { return t.scenario != nullptr; });
  fmt::print("check: {} target(s) x {}; {}"
             "{:.1f} s, {:.0f} seeds/s on {} job(s)\n",
             targets.size(),
             uniform ? fmt::format("{} seed(s) from seed {}", targets[0].seeds, targets[0].base)
                     : fmt::format("{} runs in all (each test its own runs and seed)", mine.size()),
             any_scenario ? "scenarios run twice per seed for determinism; " : "", secs,
             static_cast<double>(mine.size()) / std::max(secs, 1e-9), std::max(1u, jobs));
  return failed || insensitive ? kFailed : kOk;
}

Token read_token(const std::string& text) {
  Token t = parse_token(text);
  if (!t.is_suite() && !t.is_test() && !fs::exists(t.target))
    throw std::invalid_argument("the token's target '" + t.target +
                                "' is neither an existing scenario file nor suite/NAME or test/NAME (is the token cut short?)");
  if (t.build != build_id() && !t.is_test())
    fmt::print(stderr, "warning: token from build {}, this is build {}: the run may differ\n", t.build, build_id());
  if (t.is_suite() && !registry().find(t.suite()))
    throw std::invalid_argument(fmt::format("unknown suite '{}' in the token (suites: {})", t.suite(), suites_text()));
  if (t.is_test()) {
    entry_of(t.target);  // names a test this program has
    if (std::string why = other_build(t); !why.empty()) throw std::invalid_argument(why);
  }
  return t;
}

int cmd_replay(const std::string& token_text, const std::string& trace_file, Display how) {
  Token t = read_token(token_text);
  if (!t.is_suite() && !t.is_test() && !t.choices) return cmd_run(t.target, t.seed, trace_file, how);
  if (!t.is_suite() && !t.is_test()) refuse_overwrite(trace_file, how.html, t.target, "scenario file");
  TraceOut trace(how.shown, trace_file, how.verbose, t.is_test() ? "test" : t.is_suite() ? "main" : "scenario", how.html);
  TargetRun r = run_target(t.target, t.seed, t.choices, trace.stream());
  trace.finish(t.target + " (replayed)", t.choices ? *t.choices : std::vector<uint32_t>{});
  if (how.shown == Shown::chrome) return r.failures.empty() ? kOk : kFailed;  // stdout is the JSON document
  if (!r.case_text.empty()) fmt::print("case: {}\n", r.case_text);
  if (r.diverged)
    fmt::print(stderr, "warning: the token's choices do not fit this run (a choice past the options offered): it was recorded "
                       "against other code or another scenario file, so this replay is not the recorded run\n");
  print_failures(r.failures, trace);
  if (r.failures.empty()) fmt::print("ok: {} passes\n", t.target);
  return r.failures.empty() ? kOk : kFailed;
}

// A trace file written by --trace, shown as the readable log or as Chrome/Perfetto JSON.
int cmd_show(const std::string& file, Display how) {
  refuse_overwrite("", how.html, file, "trace file");
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw std::invalid_argument("'" + file + "' is a directory, not a trace file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read trace file '" + file + "': " + std::strerror(errno));
  std::vector<TraceEvent> events = read_trace(in, file);
  if (!how.html.empty()) {
    std::ofstream out(how.html);
    if (!out) throw std::invalid_argument("--html: cannot write '" + how.html + "': " + std::strerror(errno));
    out << html_trace(events, {.title = file});
    if (!out.flush()) throw std::invalid_argument("--html: writing '" + how.html + "' failed: " + std::strerror(errno));
  }
  if (how.shown == Shown::chrome) {
    std::fputs(chrome_trace_json(events).c_str(), stdout);
    return kOk;
  }
  Story story({.verbose = how.verbose, .colour = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR")});
  for (const TraceEvent& e : events)
    for (const std::string& l : story.tell(e)) fmt::print("{}\n", l);
  for (const std::string& l : story.flush()) fmt::print("{}\n", l);
  return kOk;
}

int cmd_shrink(const std::string& token_text) {
  Token t = read_token(token_text);
  std::optional<Scenario> s;
  if (!t.is_suite() && !t.is_test()) s = load_scenario(t.target);
  TargetRun r = run_target(t.target, t.seed, t.choices, nullptr, s ? &*s : nullptr);
  if (r.failures.empty()) {
    fmt::print("nothing to shrink: {} passes with this token\n", t.target);
    return kOk;
  }
  fmt::print("FAIL {}\n", r.failures.front());
  shrink_and_report(t.target, t.seed, r.choices, r.failures.front(), s ? &*s : nullptr);
  return kFailed;
}

// The explore flags besides ExploreOptions; *_given: the flag was on the command line.
struct ExploreFlags {
  unsigned jobs = 1;
  bool shrink = true;
  bool max_given = false;
  bool seed_given = false;
  uint64_t max_seconds = 0;  // wall-time budget; 0: none
};

int cmd_explore(const std::string& file, ExploreOptions opts, ExploreFlags flags) {
  const Entry* entry = registry().find(file);
  if (entry && entry->kind == Entry::Kind::suite)
    throw std::invalid_argument("suite '" + file + "' draws its own schedules from its seeds: `check " + file +
                                "` runs it; explore takes a scenario file or a simulation test");
  if (entry && !flags.max_given) opts.max_schedules = apply_env(entry->test->config).runs;  // the test's own budget
  std::optional<Scenario> scenario;
  std::error_code ec;
  if (!entry && !std::filesystem::exists(file, ec))
    throw std::invalid_argument("'" + file + "' is not a scenario file nor a registered simulation test" +
                                (test_names().empty() ? std::string(" (this program has none)")
                                                      : fmt::format(" (tests: {})", tests_text())));
  const bool systematic = opts.strategy == ExploreStrategy::dfs || opts.strategy == ExploreStrategy::dpor;
  // A scenario run under dfs or dpor takes every choice from the strategy: a seed would change nothing.
  if (!entry && systematic && flags.seed_given)
    throw std::invalid_argument(fmt::format("--seed seeds the schedules of random and pct (and a simulation test's inputs); --strategy {} "
                                            "chooses every step of a scenario itself, so a seed would change nothing",
                                            to_string(opts.strategy)));
  if (!systematic && opts.max_schedules - 1 > UINT64_MAX - opts.seed)  // schedule n runs from seed + n: it must not wrap
    throw std::invalid_argument(fmt::format("--seed {} with {} {} schedules runs past seed 18446744073709551615", opts.seed,
                                            flags.max_given || !entry ? "--max-schedules" : "the test's runs", opts.max_schedules));
  if (!entry) scenario.emplace(load_scenario(file));
  const std::string target = entry ? entry->target() : file;
  auto started = std::chrono::steady_clock::now();
  auto secs = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  std::atomic<bool> out_of_time{false};
  auto time_is_up = [&] {
    if (flags.max_seconds == 0) return false;
    if (!out_of_time && secs() >= static_cast<double>(flags.max_seconds)) out_of_time = true;
    return out_of_time.load();
  };
  std::mutex mu;
  std::unordered_set<uint64_t> states;  // distinct state fingerprints over all schedules
  RunSchedule run = [&](DecisionHook* hook, uint64_t seed) {
    if (time_is_up()) return ScheduleRun{.cut = true};
    if (entry) {  // (a test's schedule under way runs to its own max_steps)
      RunOutcome o = run_once(*entry->test, {.seed = seed, .strategy = hook});
      return ScheduleRun{o.passed() ? std::vector<std::string>{} : std::vector<std::string>{o.describe()}, std::move(o.stream)};
    }
    const Scenario& s = *scenario;
    StateSampler sampler;
    bool cut = false;
    ScenarioRun r{.seed = seed, .hook = hook};
    r.on_step = [&](otp::Node&, SimExecutor& e) {
      sampler.step(e);
      if ((e.steps() & 255) == 0 && time_is_up()) cut = true;  // the clock, now and then
      return !cut;
    };
    ScenarioOutcome o = run_scenario(s, r);
    if (cut) return ScheduleRun{.cut = true};
    std::lock_guard lock(mu);
    states.insert(sampler.seen().begin(), sampler.seen().end());
    return ScheduleRun{o.failures, o.decisions};
  };
  unsigned jobs = flags.jobs;
  if (opts.strategy == ExploreStrategy::dfs && jobs > 1) {
    fmt::print("note: dfs runs on one job (its schedules depend on each other); --jobs applies to random, pct and dpor\n");
    jobs = 1;
  }
  jobs = std::max(1u, jobs);
  bool tty = isatty(STDOUT_FILENO);
  // random / pct: job j runs schedules j, j + jobs, j + 2 jobs, ... of the one stream (schedule n
  // from seed + n), so any number of jobs runs the same schedules; dpor: the jobs share one tree.
  std::vector<ExploreResult> parts(opts.strategy == ExploreStrategy::dpor ? 1 : jobs);
  std::atomic<uint64_t> total{0};
  auto show_progress = [&](const ExploreResult&) {
    uint64_t n = total += 256;
    std::lock_guard lock(mu);
    std::string line = fmt::format("{} schedules, {:.0f} schedules/s, {} distinct states", n, static_cast<double>(n) / std::max(secs(), 1e-9), states.size());
    if (tty) fmt::print("\r\033[K{}", line), std::fflush(stdout);
    else if (n % 4096 == 0) fmt::print("{}\n", line);
  };
  if (opts.strategy == ExploreStrategy::dpor) parts[0] = explore_dpor_jobs(run, opts, jobs, show_progress);
  else run_on_threads(jobs, [&](unsigned j) {
      ExploreOptions o = opts;
      o.first = j;
      o.stride = jobs;
      o.max_schedules = opts.max_schedules / jobs + (j < opts.max_schedules % jobs ? 1 : 0);
      parts[j] = explore(run, o, show_progress);
  });
  if (tty) fmt::print("\r\033[K");
  ExploreResult res;
  Coverage all;  // the jobs' union: a schedule two jobs both ran is one distinct schedule
  const ExploreResult* failing = nullptr;
  uint64_t failing_at = 0;  // its number in the whole stream
  for (size_t j = 0; j < parts.size(); ++j) {
    const ExploreResult& p = parts[j];
    res.schedules += p.schedules;
    all.schedules.insert(p.coverage.schedules.begin(), p.coverage.schedules.end());
    all.actor_decisions.insert(p.coverage.actor_decisions.begin(), p.coverage.actor_decisions.end());
    res.max_depth = std::max(res.max_depth, p.max_depth);
    res.pruned += p.pruned;
    res.races += p.races;
    res.blocked += p.blocked;
    res.exhausted = p.exhausted;
    res.cut = res.cut || p.cut;
    res.too_big = res.too_big || p.too_big;
    if (!p.first_failure_at) continue;
    uint64_t at = parts.size() == 1 ? *p.first_failure_at : (*p.first_failure_at - 1) * jobs + j + 1;
    if (!failing || at < failing_at) failing = &p, failing_at = at;
  }
  res.distinct_schedules = all.schedules.size();
  res.actor_decisions = all.actor_decisions.size();
  double t = secs();
  std::string bound_text = opts.strategy == ExploreStrategy::random ? std::string()  // (random has none)
                           : opts.bound == kUnbounded             ? std::string(", unbounded")
                           : opts.strategy == ExploreStrategy::pct ? fmt::format(", depth {}", opts.bound)
                                                                   : fmt::format(", bound {}", opts.bound);
  std::string states_text = entry ? std::string()  // (a test's states are not fingerprinted)
                                  : fmt::format("; {} distinct states ({:.0f} states/s)", states.size(),
                                                static_cast<double>(states.size()) / std::max(t, 1e-9));
  fmt::print("explore {} ({}{}): {} schedules ({} distinct) in {:.2f} s = {:.0f} schedules/s{}; {} (process, decision) pairs; "
             "max depth {} decisions",
             target, to_string(opts.strategy), bound_text, res.schedules, res.distinct_schedules, t,
             static_cast<double>(res.schedules) / std::max(t, 1e-9), states_text, res.actor_decisions, res.max_depth);
  if (opts.strategy == ExploreStrategy::dfs) fmt::print("; {} branches pruned by sleep sets", res.pruned);
  if (opts.strategy == ExploreStrategy::dpor) fmt::print("; {} races, {} sleep-set blocked", res.races, res.blocked);
  fmt::print("\n");
  if (!failing && res.too_big) {
    fmt::print(stderr,
               "error: dpor cannot explore {}: a schedule needs more than {} happens-before clock entries (its steps x its threads "
               "of execution, the limit in docs/cli.md); explore it with --strategy pct or random\n",
               target, DporHook::kMaxClockEntries);
    return kBadInput;
  }
  if (!failing) {
    if (res.cut)
      fmt::print("out of time: --max-seconds {} ended the exploration (a schedule under way is not counted); no violation in {} schedules\n",
                 flags.max_seconds, res.schedules);
    else if (res.exhausted && opts.bound == kUnbounded) fmt::print("exhausted: every trace passed\n");
    else if (res.exhausted) fmt::print("exhausted within bound {}: every schedule passed\n", opts.bound);
    else fmt::print("no violation in {} schedules (the space was not exhausted)\n", res.schedules);
    return kOk;
  }
  fmt::print("VIOLATION at schedule {} (first failure):\n", failing_at);
  for (const auto& f : failing->failures) fmt::print("FAIL {}\n", f);
  std::string token = make_token(target, failing->failing_seed, failing->failing_decisions);
  write_token_file(token, 0, g_program);
  fmt::print("  {} replay {}\n", g_program, shell_quoted(token));
  if (flags.shrink)
    shrink_and_report(target, failing->failing_seed, failing->failing_decisions, failing->failures.front(), scenario ? &*scenario : nullptr);
  return kFailed;
}

int cmd_list() {
  for (const Entry* e : registry().all()) {
    if (e->kind == Entry::Kind::test)
      fmt::print("test  {}  ({}; {} runs, {})\n", e->name, e->what, e->test->config.runs, to_string(e->test->config.strategy));
    else
      fmt::print("suite {}  ({}) {}\n", e->name, e->rules, e->what);
  }
  return kOk;
}

constexpr const char* kCommands[] = {"run", "check", "replay", "shrink", "explore", "tree", "list", "show"};

}  // namespace

std::string cli_commands() {
  std::string out;
  for (const char* c : kCommands) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

bool is_cli_command(const char* arg) {
  if (!arg) return false;
  for (const char* c : kCommands)
    if (std::strcmp(arg, c) == 0) return true;
  return false;
}

namespace {
int run_command(int argc, char** argv, const CliOptions& cli);
}  // namespace

// Output that could not be written (a full disk, a closed pipe) is an error, not a run that
// looks complete; an exception no command expects is a bug, said as such rather than an abort.
int cli_main(int argc, char** argv, const CliOptions& cli) {
  int rc;
  try {
    rc = run_command(argc, argv, cli);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: otpsim failed: {} (a bug in otpsim: please report it with the command that led to it)\n", e.what());
    rc = kBug;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    fmt::print(stderr, "error: writing to standard output failed: {}\n", std::strerror(errno));
    if (rc == kOk) rc = kBadInput;
  }
  return rc;
}

namespace {

int run_command(int argc, char** argv, const CliOptions& cli) {
  g_program = cli.program;
  CLI::App app{cli.suites_by_default ? "otpsim: OTP supervision semantics on a deterministic simulator"
                                     : cli.program + ": simulation tests (otpsim) — list, check, explore, replay, shrink"};
  app.require_subcommand(1);
  auto* list = app.add_subcommand("list", "List the registered simulation tests and property suites");
  (void)list;

  auto* run = app.add_subcommand("run", "Run a scenario, print its event log, check its expectations");
  std::string run_file, trace_file;
  uint64_t seed = 1;
  bool quiet = false, verbose = false;
  std::string shown = "text", html_file;
  run->add_option("scenario", run_file, "Scenario file (.toml)")->required();
  run->add_option("--seed", seed, "Seed for the Chooser")->check(whole(0, UINT64_MAX));
  run->add_option("--trace", trace_file, "Write the JSON-lines trace here")->check(non_empty());
  auto add_display = [&](CLI::App* sub) {
    // --quiet prints no log, so a --format or --verbose beside it would be ignored: an error.
    auto* q = sub->add_flag("--quiet", quiet, "Do not print the event log (excludes --format and --verbose)");
    sub->add_option("--format", shown, "stdout: text (the readable event log, default), jsonl (the machine trace) or chrome (Trace Event JSON for ui.perfetto.dev)")
        ->check(CLI::IsMember({"text", "jsonl", "chrome"}))
        ->excludes(q);
    sub->add_flag("--verbose", verbose, "text: every event, kernel bookkeeping (monitors of a call, replies, timers, exit signals) included")
        ->excludes(q);
    sub->add_option("--html", html_file, "Also write the trace as one self-contained HTML page (lanes, restarts, signals, a step scrubber)")
        ->check(non_empty());
  };
  add_display(run);

  auto* check = app.add_subcommand("check", "Run tests, suites and scenarios over many seeds; a replay token per failure");
  std::vector<std::string> check_paths;
  bool shrink_failures = false;
  uint64_t seeds = 20, base = 1;
  unsigned jobs = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxJobs);
  std::string shard;
  check->add_option("targets", check_paths,
                    "Test names, all-tests, suite names (" + suites_text() +
                        "), all-suites, scenario files or directories; default: " +
                        (cli.suites_by_default ? "scenarios all-suites" : "all-tests"));
  check->add_flag("--shrink", shrink_failures, "Shrink each failure and print the minimal token too");
  auto* seeds_opt = check->add_option("--seeds", seeds, "Seeds (runs) per target; default: OTPSIM_RUNS, a test's own runs, or 20")
                        ->check(whole(1, kMaxSeeds));
  // An option of its own rather than an alias, so that an error names the flag that was typed.
  auto* runs_opt = check->add_option("--runs", seeds, "The same as --seeds")->check(whole(1, kMaxSeeds))->excludes(seeds_opt);
  auto* base_opt = check->add_option("--seed", base, "First seed (the root seed; every run derives from it)")->check(whole(0, UINT64_MAX));
  check->add_option("--jobs", jobs, "Worker threads (each world stays single-threaded); default: hardware threads")
      ->check(whole(1, kMaxJobs));
  check->add_option("--shard", shard, "Run shard i of n (i/n); default: OTPSIM_SHARD")->check(non_empty());

  auto* replay = app.add_subcommand("replay", "Re-run a failure from its replay token");
  std::string token;
  replay->add_option("token", token, "The token printed by check or run")->required();
  replay->add_option("--trace", trace_file, "Write the JSON-lines trace here")->check(non_empty());
  add_display(replay);

  auto* show = app.add_subcommand("show", "Show a trace file written by --trace: the readable event log, or Chrome/Perfetto JSON");
  std::string show_file;
  show->add_option("trace", show_file, "A JSON-lines trace file")->required();
  show->add_option("--format", shown, "text (default) or chrome")->check(CLI::IsMember({"text", "chrome"}));
  show->add_flag("--verbose", verbose, "Every event, kernel bookkeeping included");
  show->add_option("--html", html_file, "Also write the trace as one self-contained HTML page")->check(non_empty());

  auto* shrink = app.add_subcommand("shrink", "Shrink a failing token to the fewest, smallest choices that still fail");
  std::string shrink_token;
  shrink->add_option("token", shrink_token, "A failing replay token")->required();

  auto* explore_cmd = app.add_subcommand("explore", "Explore a scenario's schedules systematically (pct, dfs with sleep sets, random)");
  std::string explore_file, strategy = "pct";
  ExploreOptions eopts;
  bool no_por = false, explore_shrink = true;
  unsigned explore_jobs = 1;
  explore_cmd->add_option("target", explore_file, "Scenario file (.toml) or simulation test name")->required();
  explore_cmd->add_option("--strategy", strategy, "pct, dfs, dpor or random")->check(CLI::IsMember({"pct", "dfs", "dpor", "random"}));
  auto* bound_opt = explore_cmd->add_option("--bound", eopts.bound, "dfs: delay bound K (default 2); pct: bug depth d, 1..64 (default 2); dpor: delay bound (default: none, exhaustive); random: none")
                        ->check(whole(0, kMaxBound));
  auto* max_schedules_opt = explore_cmd->add_option("--max-schedules", eopts.max_schedules, "Stop after this many schedules (default 10000; a test: its own runs)")
      ->check(whole(1, kMaxSchedules));
  auto* explore_seed_opt = explore_cmd->add_option("--seed", eopts.seed, "Seed for random and pct (and a simulation test's inputs)")
                               ->check(whole(0, UINT64_MAX));
  explore_cmd->add_option("--jobs", explore_jobs, "Worker threads for random, pct and dpor")->check(whole(1, kMaxJobs));
  uint64_t max_seconds = 0;
  explore_cmd->add_option("--max-seconds", max_seconds, "Stop after this much wall time, a schedule under way included (default: no limit)")
      ->check(whole(1, kMaxSeconds));
  explore_cmd->add_flag("--no-por", no_por, "dfs: no sleep sets (plain bounded DFS)");
  explore_cmd->add_flag("--shrink,!--no-shrink", explore_shrink, "Shrink the failing decision list (default on)");

  auto* tree = app.add_subcommand("tree", "Print a scenario's supervision tree");
  std::string tree_file, format = "text";
  tree->add_option("scenario", tree_file, "Scenario file")->required();
  tree->add_option("--format", format, "text or dot")->check(CLI::IsMember({"text", "dot"}));

  // Before parsing: CLI11 reports an unknown first word or option only as "a subcommand is
  // required", which does not say what was wrong.
  std::string known;
  bool is_command = false;
  for (const auto* sub : app.get_subcommands({})) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
    is_command = is_command || (argc > 1 && sub->get_name() == argv[1]);
  }
  if (argc > 1 && std::strcmp(argv[1], "-h") != 0 && std::strcmp(argv[1], "--help") != 0 && !is_command) {
    std::cerr << "error: " << (argv[1][0] == '-' ? "unknown option '" : "unknown command '") << argv[1] << "'; the commands are " << known
              << " (--help for their options)\n";
    return kBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kOk : kBadInput;  // --help
    std::cerr << "error: " << e.what() << " (--help for the options)\n";
    return kBadInput;
  }
  try {
    Display how{quiet ? Shown::quiet : parse_format(shown), verbose, html_file};
    if (*run) return cmd_run(run_file, seed, trace_file, how);
    if (*show) return cmd_show(show_file, how);
    if (*list) return cmd_list();
    if (*check) {
      if (check_paths.empty()) check_paths = cli.suites_by_default ? std::vector<std::string>{"scenarios", "all-suites"} : std::vector<std::string>{"all-tests"};
      return cmd_check(check_paths, *seeds_opt || *runs_opt ? std::optional(seeds) : std::nullopt, *base_opt ? std::optional(base) : std::nullopt, jobs,
                       shard, shrink_failures);
    }
    if (*replay) return cmd_replay(token, trace_file, how);
    if (*shrink) return cmd_shrink(shrink_token);
    if (*explore_cmd) {
      eopts.strategy = strategy == "dfs"    ? ExploreStrategy::dfs
                       : strategy == "dpor" ? ExploreStrategy::dpor
                       : strategy == "random" ? ExploreStrategy::random
                                              : ExploreStrategy::pct;
      if (eopts.strategy == ExploreStrategy::dpor && !*bound_opt) eopts.bound = kUnbounded;
      if (eopts.strategy == ExploreStrategy::random && *bound_opt)
        throw std::invalid_argument("--bound is dfs's and dpor's delay bound and pct's bug depth; --strategy random draws every choice "
                                    "at random and has none");
      if (eopts.strategy == ExploreStrategy::pct && eopts.bound == 0)
        throw std::invalid_argument("--bound is pct's bug depth d (d - 1 priority change points): 1..64, got 0");
      if (no_por && eopts.strategy != ExploreStrategy::dfs)
        throw std::invalid_argument("--no-por turns off dfs's sleep sets; " +
                                    (eopts.strategy == ExploreStrategy::dpor ? std::string("dpor is a partial-order reduction and has no such switch")
                                                                             : "--strategy " + strategy + " has none") +
                                    " (use --strategy dfs --no-por)");
      eopts.sleep_sets = !no_por;
      return cmd_explore(explore_file, eopts,
                         {.jobs = explore_jobs, .shrink = explore_shrink, .max_given = max_schedules_opt->count() > 0,
                          .seed_given = explore_seed_opt->count() > 0, .max_seconds = max_seconds});
    }
    if (*tree) {
      Scenario s = load_scenario(tree_file);
      fmt::print("{}", format == "dot" ? tree_dot(s) : tree_text(s));
      return kOk;
    }
  } catch (const ScenarioError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kBadInput;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kBadInput;
  } catch (const fs::filesystem_error& e) {  // e.g. a directory given to check that cannot be listed
    fmt::print(stderr, "error: {}\n", e.what());
    return kBadInput;
  }
  return kOk;
}

}  // namespace

}  // namespace otp::testing
