// The shared command line: run, check, explore, replay and shrink scenarios, suites and
// simulation tests on the deterministic simulator.
// Exit codes: 0 ok, 1 an expectation or property failed, 2 bad input.
#include <otpsim/testing/cli.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/story.hpp>
#include <otpsim/testing/cli_parts.hpp>
#include <otpsim/testing/env.hpp>

namespace fs = std::filesystem;
using namespace otp::sim;

namespace otp::testing {
namespace {

using namespace cli;

// Numeric flags go through whole_number (env.hpp): CLI11 alone converts "-1" to 2^64-1. A
// transform, not a check: the text goes on to CLI11 as the plain decimal number, or CLI11 would
// read a leading zero as octal ("010" as 8).
CLI::Validator whole(uint64_t lo, uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& in) -> std::string {
        if (auto n = whole_number(in, lo, hi)) {
          in = std::to_string(*n);
          return {};
        }
        return fmt::format("must be a whole number in {}..{}, got '{}'", lo, hi, in);
      },
      fmt::format("{}..{}", lo, hi));
}

// A path or a shard given as "" would quietly turn the option off (no file written, every shard run).
CLI::Validator non_empty() {
  return CLI::Validator([](std::string& in) -> std::string { return in.empty() ? "must not be empty" : std::string(); }, "NONEMPTY");
}

// A token whose choices go past the options a run offers was recorded against other code or
// another scenario file: its verdict, passing or failing, is not the recorded run's.
void warn_diverged() {
  fmt::print(stderr, "warning: the token's choices do not fit this run (a choice past the options offered): it was recorded "
                     "against other code or another scenario file, so this replay is not the recorded run\n");
}

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

int cmd_replay(const std::string& token_text, const std::string& trace_file, Display how) {
  Token t = read_token(token_text);
  if (!t.is_suite() && !t.is_test() && !t.choices) return cmd_run(t.target, t.seed, trace_file, how);
  if (!t.is_suite() && !t.is_test()) refuse_overwrite(trace_file, how.html, t.target, "scenario file");
  if (t.is_suite()) {  // asked-for events that could never come would be an empty file or page, and exit 0
    const char* flag = !trace_file.empty()          ? "--trace"
                       : !how.html.empty()          ? "--html"
                       : how.shown == Shown::jsonl  ? "--format jsonl"
                       : how.shown == Shown::chrome ? "--format chrome"
                       : how.verbose                ? "--verbose"
                                                    : nullptr;
    if (flag)
      throw std::invalid_argument(fmt::format("{}: a property suite's case runs worlds of its own and writes no trace, so {} would show "
                                              "nothing; replay prints the case and its verdict (a scenario file or a simulation test, "
                                              "test/NAME, writes a trace)",
                                              t.target, flag));
  }
  TraceOut trace(how.shown, trace_file, how.verbose, t.is_test() ? "test" : t.is_suite() ? "main" : "scenario", how.html);
  TargetRun r = run_target(t.target, t.seed, t.choices, trace.stream());
  trace.finish(t.target + " (replayed)", t.choices ? *t.choices : std::vector<uint32_t>{});
  if (how.shown == Shown::chrome) return r.failures.empty() ? kOk : kFailed;  // stdout is the JSON document
  if (!r.case_text.empty()) fmt::print("case: {}\n", r.case_text);
  if (r.diverged) warn_diverged();
  print_failures(r.failures, trace);
  if (r.failures.empty()) fmt::print("ok: {} passes\n", t.target);
  return r.failures.empty() ? kOk : kFailed;
}

// A trace file written by --trace, shown as the readable log or as Chrome/Perfetto JSON.
int cmd_show(const std::string& file, Display how) {
  refuse_shared_outputs("", how.html);  // (the page is written here, not through a TraceOut)
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
  if (r.diverged) warn_diverged();  // "passes" must not read as the recorded run passing
  if (r.failures.empty()) {
    fmt::print("nothing to shrink: {} passes with this token\n", t.target);
    return kOk;
  }
  fmt::print("FAIL {}\n", r.failures.front());
  shrink_and_report(t.target, t.seed, r.choices, r.failures.front(), s ? &*s : nullptr);
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
  run->add_option("--seed", seed, "Seed for the Chooser")->transform(whole(0, UINT64_MAX));
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
                        ->transform(whole(1, kMaxSeeds));
  // An option of its own rather than an alias, so that an error names the flag that was typed.
  auto* runs_opt = check->add_option("--runs", seeds, "The same as --seeds")->transform(whole(1, kMaxSeeds))->excludes(seeds_opt);
  auto* base_opt = check->add_option("--seed", base, "First seed (the root seed; every run derives from it)")->transform(whole(0, UINT64_MAX));
  check->add_option("--jobs", jobs, "Worker threads (each world stays single-threaded); default: hardware threads")
      ->transform(whole(1, kMaxJobs));
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

  auto* explore_cmd = app.add_subcommand("explore", "Explore the schedules of a scenario or a simulation test systematically (pct, dfs with sleep sets, dpor, random)");
  std::string explore_file, strategy = "pct";
  ExploreOptions eopts;
  bool no_por = false, explore_shrink = true;
  unsigned explore_jobs = 1;
  explore_cmd->add_option("target", explore_file, "Scenario file (.toml) or simulation test name")->required();
  explore_cmd->add_option("--strategy", strategy, "pct, dfs, dpor or random")->check(CLI::IsMember({"pct", "dfs", "dpor", "random"}));
  auto* bound_opt = explore_cmd->add_option("--bound", eopts.bound, "dfs: delay bound K (default 2); pct: bug depth d, 1..64 (default 2); dpor: delay bound (default: none, exhaustive); random: none")
                        ->transform(whole(0, kMaxBound));
  auto* max_schedules_opt = explore_cmd->add_option("--max-schedules", eopts.max_schedules, "Stop after this many schedules (default 10000; a test: its own runs)")
      ->transform(whole(1, kMaxSchedules));
  auto* explore_seed_opt = explore_cmd->add_option("--seed", eopts.seed, "Seed for random and pct (and a simulation test's inputs)")
                               ->transform(whole(0, UINT64_MAX));
  explore_cmd->add_option("--jobs", explore_jobs, "Worker threads for random, pct and dpor")->transform(whole(1, kMaxJobs));
  uint64_t max_seconds = 0;
  explore_cmd->add_option("--max-seconds", max_seconds, "Stop after this much wall time, a schedule under way included (default: no limit)")
      ->transform(whole(1, kMaxSeconds));
  explore_cmd->add_flag("--no-por", no_por, "dfs: no sleep sets (plain bounded DFS)");
  // Two flags, not one negatable one: CLI11 would let the last of --shrink --no-shrink win silently.
  bool shrink_on = false, shrink_off = false;
  auto* shrink_flag = explore_cmd->add_flag("--shrink", shrink_on, "Shrink the failing decision list (the default)");
  explore_cmd->add_flag("--no-shrink", shrink_off, "Print the failing decision list as found, unshrunk")->excludes(shrink_flag);

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
    // Chrome JSON is the whole output (no log, no failure excerpt): a --verbose beside it would be
    // ignored, as beside --quiet, so it is an error too.
    if (how.verbose && how.shown == Shown::chrome && (*run || *replay || *show))
      throw std::invalid_argument("--verbose tells the text log in full; --format chrome writes every event as it is, so --verbose "
                                  "would change nothing");
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
      explore_shrink = !shrink_off;
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
