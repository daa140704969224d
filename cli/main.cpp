// otpsim: run, check, replay and draw scenarios on the deterministic simulator.
// Exit codes: 0 ok, 1 an expectation or property failed, 2 bad input.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "cli/token.hpp"
#include "properties/supervisor_suite.hpp"
#include "sim/scenario.hpp"

namespace fs = std::filesystem;
using namespace otp::sim;

namespace {

constexpr int kOk = 0, kFailed = 1, kBadInput = 2;

void print_outcome(const ScenarioOutcome& o) {
  for (const auto& f : o.failures) fmt::print("FAIL {}\n", f);
}

int cmd_run(const std::string& file, uint64_t seed, const std::string& trace_file, bool quiet) {
  Scenario s = load_scenario(file);
  std::string token = make_token(file, seed);
  write_token_file(token);
  ScenarioOutcome o = run_scenario(s, seed, true);
  if (!trace_file.empty()) {
    std::ofstream out(trace_file);
    for (const auto& l : o.trace) out << l << '\n';
  }
  if (!quiet)
    for (const auto& l : o.trace) fmt::print("{}\n", l);
  fmt::print("scenario {} seed {}: {} events, trace hash {:016x}\n", s.name, seed, o.trace.size(), o.trace_hash);
  print_outcome(o);
  if (!o.passed()) {
    fmt::print("replay: otpsim replay {}\n", token);
    return kFailed;
  }
  fmt::print("ok: all {} expectation(s) met\n", s.expects.size());
  return kOk;
}

std::vector<std::string> scenario_files(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    if (fs::is_directory(a)) {
      for (const auto& e : fs::directory_iterator(a))
        if (e.path().extension() == ".toml") files.push_back(e.path().string());
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Property suites runnable from the CLI, by name.
const char* const kSuites[] = {"supervisor-model"};

std::vector<std::string> run_suite_case(const std::string& suite, uint64_t seed, bool verbose) {
  (void)suite;  // one suite so far: supervisor-model
  auto c = otp::properties::random_case(seed);
  if (verbose) fmt::print("case: {}\n", otp::properties::describe(c));
  auto failure = otp::properties::check_case(c);
  if (!failure) return {};
  return {"supervisor-model: the simulated run differs from the reference model (S23-S28)\n  case: " +
          otp::properties::describe(c) + "\n  " + *failure};
}

bool is_suite(const std::string& name) {
  for (const char* s : kSuites)
    if (name == s) return true;
  return false;
}

int cmd_check(const std::vector<std::string>& args, uint64_t seeds, uint64_t base, unsigned jobs, const std::string& shard) {
  struct Target {
    std::string token_name;  // scenario path, or suite/<name>
    std::function<std::vector<std::string>(uint64_t)> run;
  };
  std::vector<Target> targets;
  std::vector<std::string> paths;
  for (const auto& a : args) (is_suite(a) ? targets.push_back({"suite/" + a, [a](uint64_t s) { return run_suite_case(a, s, false); }}) : paths.push_back(a));
  for (const auto& f : scenario_files(paths)) {
    auto s = std::make_shared<Scenario>(load_scenario(f));  // bad input fails before any run
    targets.push_back({f, [s](uint64_t seed) {
                         ScenarioOutcome a = run_scenario(*s, seed, false);
                         ScenarioOutcome b = run_scenario(*s, seed, false);  // S91: same seed, same trace
                         if (a.trace_hash != b.trace_hash)
                           a.failures.push_back(s->file + ": nondeterminism: same seed, different trace hash");
                         return a.failures;
                       }});
  }
  if (targets.empty()) throw std::invalid_argument("nothing to check: no scenarios or suites in the given arguments");
  unsigned shard_i = 0, shard_n = 1;
  if (!shard.empty() && (std::sscanf(shard.c_str(), "%u/%u", &shard_i, &shard_n) != 2 || shard_n == 0 || shard_i >= shard_n))
    throw std::invalid_argument("--shard must be i/n with 0 <= i < n, got '" + shard + "'");
  struct Job {
    size_t target;
    uint64_t seed;
  };
  std::vector<Job> mine;
  size_t k = 0;
  for (size_t i = 0; i < targets.size(); ++i)
    for (uint64_t j = 0; j < seeds; ++j, ++k)
      if (k % shard_n == shard_i) mine.push_back({i, base + j});
  std::atomic<size_t> next{0}, failed{0}, done{0};
  std::mutex out_mu;
  bool tty = isatty(STDOUT_FILENO);
  auto worker = [&](unsigned job_id) {
    for (size_t i; (i = next++) < mine.size();) {
      const Job& j = mine[i];
      std::string token = make_token(targets[j.target].token_name, j.seed);
      write_token_file(token, job_id);
      std::vector<std::string> failures = targets[j.target].run(j.seed);
      std::lock_guard lock(out_mu);
      ++done;
      if (!failures.empty()) {
        ++failed;
        if (tty) fmt::print("\r\033[K");
        fmt::print("FAILED {} seed {}\n", targets[j.target].token_name, j.seed);
        for (const auto& f : failures) fmt::print("FAIL {}\n", f);
        fmt::print("  otpsim replay {}\n", token);
      }
      if (tty) fmt::print("\r[{}/{}] {} failed", done.load(), mine.size(), failed.load());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < std::max(1u, jobs); ++w) pool.emplace_back(worker, w);
  for (auto& t : pool) t.join();
  if (tty) fmt::print("\n");
  fmt::print("{} passed, {} failed\n", mine.size() - failed.load(), failed.load());
  fmt::print("check: {} target(s) x {} seed(s) from seed {}; scenarios run twice per seed for determinism\n",
             targets.size(), seeds, base);
  return failed ? kFailed : kOk;
}

int cmd_replay(const std::string& token_text, const std::string& trace_file) {
  Token t = parse_token(token_text);
  if (t.build != build_id())
    fmt::print(stderr, "warning: token from build {}, this is build {}: the run may differ\n", t.build, build_id());
  if (t.scenario.rfind("suite/", 0) == 0) {
    std::string suite = t.scenario.substr(6);
    if (!is_suite(suite)) throw std::invalid_argument("unknown suite '" + suite + "' in the token");
    auto failures = run_suite_case(suite, t.seed, true);
    for (const auto& f : failures) fmt::print("FAIL {}\n", f);
    if (failures.empty()) fmt::print("ok: suite {} seed {} passes\n", suite, t.seed);
    return failures.empty() ? kOk : kFailed;
  }
  return cmd_run(t.scenario, t.seed, trace_file, false);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otpsim: OTP supervision semantics on a deterministic simulator"};
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "Run a scenario, print its event log, check its expectations");
  std::string run_file, trace_file;
  uint64_t seed = 1;
  bool quiet = false;
  run->add_option("scenario", run_file, "Scenario file (.toml)")->required();
  run->add_option("--seed", seed, "Seed for the Chooser");
  run->add_option("--trace", trace_file, "Write the JSON-lines trace here");
  run->add_flag("--quiet", quiet, "Do not print the event log");

  auto* check = app.add_subcommand("check", "Run scenarios over many seeds; a replay token per failure");
  std::vector<std::string> check_paths{"scenarios", "supervisor-model"};
  uint64_t seeds = 20, base = 1;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string shard;
  check->add_option("targets", check_paths,
                    "Scenario files or directories, and suites (supervisor-model); default: scenarios supervisor-model");
  check->add_option("--seeds", seeds, "Seeds per scenario");
  check->add_option("--seed", base, "First seed (the root seed; every run derives from it)");
  check->add_option("--jobs", jobs, "Worker threads (each world stays single-threaded)");
  check->add_option("--shard", shard, "Run shard i of n (i/n)");

  auto* replay = app.add_subcommand("replay", "Re-run a failure from its replay token");
  std::string token;
  replay->add_option("token", token, "The token printed by check or run")->required();
  replay->add_option("--trace", trace_file, "Write the JSON-lines trace here");

  auto* tree = app.add_subcommand("tree", "Print a scenario's supervision tree");
  std::string tree_file, format = "text";
  tree->add_option("scenario", tree_file, "Scenario file")->required();
  tree->add_option("--format", format, "text or dot")->check(CLI::IsMember({"text", "dot"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kOk : kBadInput;
  }
  try {
    if (*run) return cmd_run(run_file, seed, trace_file, quiet);
    if (*check) return cmd_check(check_paths, seeds, base, jobs, shard);
    if (*replay) return cmd_replay(token, trace_file);
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
  }
  return kOk;
}
