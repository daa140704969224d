#include <otpsim/testing/check.hpp>

#include <chrono>
#include <stdexcept>

#include <otpsim/sim/explore.hpp>
#include <otpsim/sim/shrink.hpp>
#include <otpsim/sim/token.hpp>
#include <otpsim/testing/registry.hpp>

namespace otp::testing {

std::string test_target(const TestDef& test) { return "test/" + test.name; }

std::string confirm(const TestDef& test, uint64_t seed, const std::vector<uint32_t>& stream, const std::string& key) {
  return confirm_replay(test, seed, stream, key, run_once(test, {.seed = seed, .script = stream, .trace = true}));
}

std::string confirm_replay(const TestDef& test, uint64_t seed, const std::vector<uint32_t>& stream, const std::string& key,
                           const RunOutcome& a) {
  RunOutcome b = run_once(test, {.seed = seed, .script = stream, .trace = true});
  for (const RunOutcome* o : {&a, static_cast<const RunOutcome*>(&b)})
    if (o->passed() || o->key() != key)
      return std::string(o == &a ? "its replay" : "its second replay") + " " +
             (o->passed() ? std::string("passed") : "failed differently (" + o->key() + ")");
  if (a.trace_hash != b.trace_hash)
    return "two replays of it gave different traces (hashes " + std::to_string(a.trace_hash) + " and " +
           std::to_string(b.trace_hash) + ")";
  return {};
}

std::string other_build(const Token& t) {
  if (t.build == build_id()) return {};
  return "the token comes from build " + t.build + " and this is build " + build_id() +
         ": its choices need not mean the same here; find the failure again on this build";
}

RunOutcome replay(const TestDef& test, const std::string& text, std::ostream* trace_out) {
  Token t = parse_token(text);
  if (!t.is_test() || t.test() != test.name)
    throw std::invalid_argument("the token is for " + t.target + ", not for test/" + test.name);
  if (std::string why = other_build(t); !why.empty()) throw std::invalid_argument(why);
  return run_once(test, {.seed = t.seed, .script = t.choices.value_or(std::vector<uint32_t>{}), .trace = true, .trace_out = trace_out});
}

RunOutcome replay(const std::string& text, std::ostream* trace_out) {
  Token t = parse_token(text);
  const Entry* e = t.is_test() ? registry().find(t.test()) : nullptr;
  if (!e || !e->test)
    throw std::invalid_argument("the token is for " + t.target + ", which is not a simulation test registered in this program");
  return replay(*e->test, text, trace_out);
}

namespace {

// Shrinks and confirms the failure `r.found`; fills the rest of r.
// Each candidate's token is written before it runs (before_run), as every run's is: a shrink
// candidate that hangs or crashes leaves itself on disk.
void finish_failure(const TestDef& test, const Config& cfg, CheckResult& r, const BeforeRun& before_run) {
  std::string key = r.found.key();
  std::vector<uint32_t> stream = r.found.stream;
  if (cfg.shrink) {
    sim::ShrinkResult s = sim::shrink_choices(
        stream,
        [&](const std::vector<uint32_t>& cand) {
          if (before_run) before_run(make_token(test_target(test), r.failing_seed, cand));
          RunOutcome o = run_once(test, {.seed = r.failing_seed, .script = cand});
          return !o.passed() && o.key() == key;
        },
        2000);
    stream = s.choices;
    r.shrink_runs = s.attempts;
  }
  r.minimal = run_once(test, {.seed = r.failing_seed, .script = stream, .trace = true});
  r.minimal_choices = stream;
  r.token = make_token(test_target(test), r.failing_seed, stream);
  r.not_reproducible_why = confirm_replay(test, r.failing_seed, stream, key, r.minimal);  // the minimal run is the first replay
  r.reproducible = r.not_reproducible_why.empty();
}

}  // namespace

CheckResult check(const TestDef& test, const Config& cfg, const BeforeRun& before_run) {
  validate(cfg);
  CheckResult r;
  auto started = std::chrono::steady_clock::now();  // the runner may read the clock; core/ and sim/ never do
  auto out_of_time = [&] {
    if (cfg.time_budget_ms == 0) return false;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    return static_cast<uint64_t>(ms) >= cfg.time_budget_ms;
  };
  std::string target = test_target(test);
  if (cfg.strategy == Search::random) {
    for (uint64_t i = 0; i < cfg.runs; ++i) {
      if (i % cfg.shard_count != cfg.shard_index) continue;
      if (out_of_time()) {
        r.out_of_time = true;
        break;
      }
      uint64_t seed = cfg.seed + i;
      if (before_run) before_run(make_token(target, seed));
      RunOutcome o = run_once(test, {.seed = seed});
      ++r.runs;
      if (!o.passed()) {
        r.failed_at = r.runs;
        r.failing_seed = seed;
        r.found = std::move(o);
        break;
      }
    }
  } else {
    sim::ExploreOptions eo{.strategy = cfg.strategy == Search::pct   ? sim::ExploreStrategy::pct
                                       : cfg.strategy == Search::dpor ? sim::ExploreStrategy::dpor
                                                                      : sim::ExploreStrategy::dfs,
                           .bound = cfg.strategy == Search::dpor ? sim::kUnbounded : cfg.bound,
                           .max_schedules = cfg.runs,
                           .seed = cfg.seed,
                           .sleep_sets = true,
                           .stop_at_first = true};
    if (cfg.shard_count > 1 && cfg.strategy == Search::pct) {  // shard i: schedules i, i + n, ... of the one stream
      eo.first = cfg.shard_index;
      eo.stride = cfg.shard_count;
      eo.max_schedules = cfg.runs / cfg.shard_count + (cfg.shard_index < cfg.runs % cfg.shard_count ? 1 : 0);
    }
    uint64_t n = 0;
    std::optional<RunOutcome> failing;
    uint64_t failing_seed = 0;
    sim::RunSchedule run = [&](sim::DecisionHook* hook, uint64_t seed) -> sim::ScheduleRun {
      ++n;
      if (before_run)
        before_run("(" + std::string(to_string(cfg.strategy)) + " schedule " + std::to_string(n) + " from seed " +
                   std::to_string(cfg.seed) + " of " + target + ")");
      if (out_of_time()) {
        r.out_of_time = true;
        return {{"out of time"}, {}};  // ends the exploration; not reported as a failure
      }
      RunOutcome o = run_once(test, {.seed = seed, .strategy = hook});
      if (o.passed()) return {{}, std::move(o.stream)};
      failing_seed = seed;
      std::vector<uint32_t> s = o.stream;
      failing = std::move(o);
      return {{failing->key()}, std::move(s)};
    };
    // dfs and dpor have one schedule tree: shards other than 0 have nothing of their own to explore.
    if ((cfg.strategy == Search::dfs || cfg.strategy == Search::dpor) && cfg.shard_index != 0) eo.max_schedules = 0;
    sim::ExploreResult er = sim::explore(run, eo);
    r.runs = er.schedules;  // (pct's first, probing run is not one)
    r.exhausted = er.exhausted;
    if (failing && !r.out_of_time) {
      r.failed_at = er.first_failure_at;
      r.failing_seed = failing_seed;
      r.found = std::move(*failing);
    }
  }
  if (r.failed_at) finish_failure(test, cfg, r, before_run);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace otp::testing
