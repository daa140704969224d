// `explore`: a scenario's or a simulation test's schedules, systematically (dfs, dpor) or
// drawn (pct, random), on several jobs; the first violation's token, shrunk.
#include <otpsim/testing/cli_parts.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_set>

#include <otpsim/sim/dpor.hpp>
#include <otpsim/sim/state_sampler.hpp>
#include <otpsim/testing/env.hpp>
#include <otpsim/testing/parallel_dpor.hpp>
#include <otpsim/testing/run_once.hpp>
#include <otpsim/testing/threads.hpp>

using namespace otp::sim;

namespace otp::testing::cli {

// Distinct state fingerprints are counted up to this many (a set of about 160 MiB): a long run
// over a big world would otherwise grow it without end. Past it the summary says "at least".
constexpr size_t kMaxCountedStates = size_t{1} << 22;

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
  if (opts.strategy == ExploreStrategy::dfs && flags.jobs > 1)
    throw std::invalid_argument(fmt::format("--jobs {}: dfs runs on one job, each schedule chosen from the ones before it; --jobs applies to "
                                            "random, pct and dpor (which also explores every trace)",
                                            flags.jobs));
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
  std::unordered_set<uint64_t> states;  // distinct state fingerprints over all schedules, up to kMaxCountedStates
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
    for (auto it = sampler.seen().begin(); it != sampler.seen().end() && states.size() < kMaxCountedStates; ++it) states.insert(*it);
    return ScheduleRun{o.failures, o.decisions};
  };
  const unsigned jobs = std::max(1u, flags.jobs);
  bool tty = isatty(STDOUT_FILENO);
  // random / pct: job j runs schedules j, j + jobs, j + 2 jobs, ... of the one stream (schedule n
  // from seed + n), so any number of jobs runs the same schedules; dpor: the jobs share one tree.
  std::vector<ExploreResult> parts(opts.strategy == ExploreStrategy::dpor ? 1 : jobs);
  std::atomic<uint64_t> total{0};
  auto show_progress = [&](const ExploreResult&) {
    uint64_t n = total += 256;
    std::lock_guard lock(mu);
    std::string line = fmt::format("{} schedules, {:.0f} schedules/s, {}{} distinct states", n, static_cast<double>(n) / std::max(secs(), 1e-9),
                                   states.size() >= kMaxCountedStates ? "at least " : "", states.size());
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
    all.schedules.merge(p.coverage.schedules);
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
  set_distinct(res, all);
  res.actor_decisions = all.actor_decisions.size();
  double t = secs();
  std::string bound_text = opts.strategy == ExploreStrategy::random ? std::string()  // (random has none)
                           : opts.bound == kUnbounded             ? std::string(", unbounded")
                           : opts.strategy == ExploreStrategy::pct ? fmt::format(", depth {}", opts.bound)
                                                                   : fmt::format(", bound {}", opts.bound);
  std::string states_text;  // (a test's states are not fingerprinted)
  if (!entry && states.size() >= kMaxCountedStates)
    states_text = fmt::format("; at least {} distinct states (counted up to there)", states.size());
  else if (!entry)
    states_text = fmt::format("; {} distinct states ({:.0f} states/s)", states.size(), static_cast<double>(states.size()) / std::max(t, 1e-9));
  fmt::print("explore {} ({}{}): {} schedules ({}{} distinct) in {:.2f} s = {:.0f} schedules/s{}; {} (process, decision) pairs; "
             "max depth {} decisions",
             target, to_string(opts.strategy), bound_text, res.schedules, res.distinct_estimated ? "about " : "", res.distinct_schedules, t,
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

}  // namespace otp::testing::cli
