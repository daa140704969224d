// `check`: tests, suites and scenarios over many seeds, on several jobs, sharded; a replay
// token (and on request a shrunk one) per failure.
#include <otpsim/testing/cli_parts.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include <otpsim/sim/seed_spread.hpp>
#include <otpsim/testing/check.hpp>
#include <otpsim/testing/env.hpp>
#include <otpsim/testing/threads.hpp>

using namespace otp::sim;

namespace otp::testing::cli {

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
  // A target named twice (`check S S`, `check s.toml ./s.toml`, a suite next to all-suites) is
  // checked once, where first named.
  std::set<std::string> named;
  std::erase_if(targets, [&named](const Target& t) {
    return !named.insert(t.scenario ? canonical_name(t.token_name).value_or(t.token_name) : t.token_name).second;
  });
  std::optional<uint64_t> env_seeds = env_whole("OTPSIM_RUNS", 1, kMaxSeeds), env_base = env_whole("OTPSIM_SEED", 0, UINT64_MAX);
  const char* shard_from = "--shard";
  if (shard.empty())
    if (auto v = env("OTPSIM_SHARD")) {
      shard = *v;
      shard_from = "OTPSIM_SHARD";
    }
  // Read whatever the targets: a malformed value is an error even where it would not apply.
  if (auto v = env("OTPSIM_STRATEGY"); v && parse_strategy(*v, "OTPSIM_STRATEGY") != Search::random)
    fmt::print(stderr, "note: check runs random seeds; OTPSIM_STRATEGY={} applies to GoogleTest runs (explore takes --strategy)\n", *v);
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
  // The runs, numbered k = 0, 1, ... target by target, seed by seed; this shard's are k = shard_i,
  // shard_i + shard_n, ... Computed run by run, not listed: up to 10^6 seeds a target.
  struct Job {
    size_t target;
    uint64_t seed;
  };
  std::vector<uint64_t> starts;  // each target's first k
  uint64_t all_runs = 0;
  for (const Target& t : targets) starts.push_back(std::exchange(all_runs, all_runs + t.seeds));
  const uint64_t my_runs = shard_i < all_runs ? (all_runs - shard_i + shard_n - 1) / shard_n : 0;
  auto job_at = [&](uint64_t m) {
    uint64_t k = shard_i + m * shard_n;
    size_t t = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), k) - starts.begin()) - 1;
    return Job{t, targets[t].base + (k - starts[t])};
  };
  std::atomic<uint64_t> next{0};
  std::atomic<size_t> failed{0}, done{0};
  std::mutex out_mu;
  bool tty = isatty(STDOUT_FILENO);
  std::vector<otp::sim::SeedSpread> spreads(targets.size());  // do different seeds choose differently?
  auto worker = [&](unsigned job_id) {
    for (uint64_t i; (i = next++) < my_runs;) {
      const Job j = job_at(i);
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
        fmt::print("\r[{}/{}] {} failed", done.load(), my_runs, failed.load());
      } else if (my_runs >= 100 && done % (my_runs / 10) == 0) {  // CI logs: a plain line per 10 %
        fmt::print("progress: {}/{} runs, {} failed\n", done.load(), my_runs, failed.load());
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
  fmt::print("{} passed, {} failed\n", my_runs - failed.load(), failed.load());
  bool uniform = std::all_of(targets.begin(), targets.end(), [&](const Target& t) { return t.seeds == targets[0].seeds && t.base == targets[0].base; });
  bool any_scenario = std::any_of(targets.begin(), targets.end(), [](const Target& t) { return t.scenario != nullptr; });
  fmt::print("check: {} target(s) x {}; {}"
             "{:.1f} s, {:.0f} seeds/s on {} job(s)\n",
             targets.size(),
             uniform ? fmt::format("{} seed(s) from seed {}", targets[0].seeds, targets[0].base)
                     : fmt::format("{} runs in all (each test its own runs and seed)", my_runs),
             any_scenario ? "scenarios run twice per seed for determinism; " : "", secs,
             static_cast<double>(my_runs) / std::max(secs, 1e-9), std::max(1u, jobs));
  return failed || insensitive ? kFailed : kOk;
}

}  // namespace otp::testing::cli
