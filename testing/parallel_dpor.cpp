#include <otpsim/testing/parallel_dpor.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <otpsim/sim/coverage.hpp>
#include <otpsim/sim/dpor.hpp>
#include <otpsim/testing/threads.hpp>

namespace otp::testing {

using namespace otp::sim;

ExploreResult explore_dpor_jobs(const RunSchedule& run, const ExploreOptions& opts, unsigned jobs,
                                const std::function<void(const ExploreResult&)>& progress) {
  jobs = std::max(1u, jobs);
  std::mutex mu;
  std::condition_variable changed;
  DporTree tree(opts.bound);
  ExploreResult res;
  unsigned running = 0;
  uint64_t started = 0;
  bool stop = false;
  std::vector<Coverage> coverage(jobs);
  std::vector<uint64_t> races(jobs, 0), blocked(jobs, 0);
  run_on_threads(jobs, [&](unsigned j) {
    DporHook hook;
    std::unique_lock lock(mu);
    for (;;) {
      // Nothing queued while others run: their commits may queue more.
      changed.wait(lock, [&] { return stop || tree.has_work() || running == 0; });
      if (stop || !tree.has_work()) break;
      if (started >= opts.max_schedules) {
        stop = true;
        break;
      }
      hook.begin(tree.take());
      ++running;
      ++started;
      lock.unlock();
      Recording rec(hook, coverage[j]);
      ScheduleRun r = run(&rec, opts.seed);
      lock.lock();
      if (r.cut) {  // not run to its end: nothing to learn from it, and the exploration ends
        --running;
        res.cut = stop = true;
        break;
      }
      coverage[j].schedules.insert(hash_decisions(r.decisions));
      if (hook.too_big()) res.too_big = stop = true;  // (its report is partial: the tree cannot learn from it)
      else tree.commit(hook.report());
      --running;
      ++res.schedules;
      res.max_depth = std::max<uint64_t>(res.max_depth, r.decisions.size());
      if (!r.failures.empty() && !res.first_failure_at) {
        res.first_failure_at = res.schedules;
        res.failures = std::move(r.failures);
        res.failing_decisions = std::move(r.decisions);
        res.failing_seed = opts.seed;
        if (opts.stop_at_first) stop = true;
      }
      if (progress && res.schedules % 256 == 0) progress(res);
      changed.notify_all();
    }
    races[j] = hook.races();
    blocked[j] = hook.blocked();
    changed.notify_all();
  });
  Coverage all;
  for (const Coverage& c : coverage) {
    all.schedules.merge(c.schedules);
    all.actor_decisions.insert(c.actor_decisions.begin(), c.actor_decisions.end());
  }
  set_distinct(res, all);
  res.actor_decisions = all.actor_decisions.size();
  for (uint64_t r : races) res.races += r;
  for (uint64_t b : blocked) res.blocked += b;
  res.exhausted = !res.cut && !res.too_big && !tree.has_work() && !tree.bounded_out();
  res.coverage = std::move(all);
  return res;
}

}  // namespace otp::testing
