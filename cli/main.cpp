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

int cmd_check(const std::vector<std::string>& args, uint64_t seeds, uint64_t base, unsigned jobs, const std::string& shard) {
  std::vector<Scenario> all;
  for (const auto& f : scenario_files(args)) all.push_back(load_scenario(f));  // bad input fails before any run
  if (all.empty()) throw std::invalid_argument("no scenarios found in the given paths");
  unsigned shard_i = 0, shard_n = 1;
  if (!shard.empty() && (std::sscanf(shard.c_str(), "%u/%u", &shard_i, &shard_n) != 2 || shard_n == 0 || shard_i >= shard_n))
    throw std::invalid_argument("--shard must be i/n with 0 <= i < n, got '" + shard + "'");
  struct Job {
    size_t scenario;
    uint64_t seed;
  };
  std::vector<Job> work;
  for (size_t i = 0; i < all.size(); ++i)
    for (uint64_t k = 0; k < seeds; ++k)
      work.push_back({i, base + k});
  std::vector<Job> mine;
  for (size_t i = 0; i < work.size(); ++i)
    if (i % shard_n == shard_i) mine.push_back(work[i]);
  std::atomic<size_t> next{0}, failed{0}, done{0};
  std::mutex out_mu;
  bool tty = isatty(STDOUT_FILENO);
  auto worker = [&](unsigned job_id) {
    for (size_t i; (i = next++) < mine.size();) {
      const Job& j = mine[i];
      const Scenario& s = all[j.scenario];
      std::string token = make_token(s.file, j.seed);
      write_token_file(token, job_id);
      ScenarioOutcome a = run_scenario(s, j.seed, false);
      ScenarioOutcome b = run_scenario(s, j.seed, false);  // S91: the same seed, the same trace
      std::lock_guard lock(out_mu);
      if (a.trace_hash != b.trace_hash) a.failures.push_back(s.file + ": nondeterminism: same seed, different trace hash");
      ++done;
      if (!a.passed()) {
        ++failed;
        if (tty) fmt::print("\r\033[K");
        fmt::print("FAILED {} seed {}\n", s.file, j.seed);
        print_outcome(a);
        fmt::print("  otpsim replay {}\n", token);
      }
      if (tty) fmt::print("\r[{}/{}] {} failed", done.load(), mine.size(), failed.load());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned k = 0; k < std::max(1u, jobs); ++k) pool.emplace_back(worker, k);
  for (auto& t : pool) t.join();
  if (tty) fmt::print("\n");
  fmt::print("{} passed, {} failed\n", mine.size() - failed.load(), failed.load());
  fmt::print("check: {} scenario(s) x {} seed(s) (from {}), each run twice for determinism\n", all.size(), seeds, base);
  return failed ? kFailed : kOk;
}

int cmd_replay(const std::string& token_text, const std::string& trace_file) {
  Token t = parse_token(token_text);
  if (t.build != build_id())
    fmt::print(stderr, "warning: token from build {}, this is build {}: the run may differ\n", t.build, build_id());
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
  std::vector<std::string> check_paths{"scenarios"};
  uint64_t seeds = 20, base = 1;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string shard;
  check->add_option("paths", check_paths, "Scenario files or directories (default: scenarios)");
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
