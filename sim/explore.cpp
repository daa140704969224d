#include <otpsim/sim/explore.hpp>

#include <otpsim/sim/coverage.hpp>
#include <otpsim/sim/dpor.hpp>

#include <algorithm>
#include <cassert>
#include <map>

namespace otp::sim {

const char* to_string(ExploreStrategy s) {
  switch (s) {
    case ExploreStrategy::random: return "random";
    case ExploreStrategy::pct: return "pct";
    case ExploreStrategy::dfs: return "dfs";
    case ExploreStrategy::dpor: return "dpor";
  }
  return "?";
}

bool independent(const OptionLabel& a, const OptionLabel& b) {
  // Delivering a signal only touches its receiver (and what the receiver's death sends on new
  // channels); running a process may read anything shared (names, liveness), so it commutes
  // with nothing here.
  return a.kind == OptionLabel::Kind::deliver && b.kind == OptionLabel::Kind::deliver && a.b != b.b;
}

namespace {

class RandomHook : public DecisionHook {
 public:
  explicit RandomHook(uint64_t seed) : prng_(seed) {}
  uint32_t choose(DecisionPoint, const std::vector<OptionLabel>& options) override {
    return static_cast<uint32_t>(prng_.below(options.size()));
  }

 private:
  Prng prng_;
};

// PCT: the enabled option whose process has the highest priority runs; at change point i that
// process's priority drops to i (below every initial priority). A delivery counts as an action
// of its *sender*: which sender's signal lands first is what a delivery choice decides (two
// signals to one receiver could never be reordered if it counted as the receiver's).
class PctHook : public DecisionHook {
 public:
  PctHook(uint64_t seed, uint32_t depth, uint64_t steps_estimate) : prng_(seed) {
    for (uint32_t i = 1; i < depth; ++i) change_points_[1 + prng_.below(std::max<uint64_t>(steps_estimate, 1))] = i;
  }
  uint32_t choose(DecisionPoint p, const std::vector<OptionLabel>& options) override {
    if (p != DecisionPoint::next_step) return static_cast<uint32_t>(prng_.below(options.size()));
    ++step_;
    uint32_t best = pick(options);
    if (auto it = change_points_.find(step_); it != change_points_.end()) {
      priority_[options[best].a] = static_cast<int64_t>(it->second);
      best = pick(options);
    }
    return best;
  }
  uint64_t steps() const { return step_; }

 private:
  // The highest-priority actor's option; an actor with several (it runs, and its signals to
  // two receivers are in flight) picks one of them at random, or a test whose options all
  // belong to one actor would run a single schedule.
  uint32_t pick(const std::vector<OptionLabel>& options) {
    int64_t best_p = -1;
    ties_.clear();
    for (uint32_t i = 0; i < options.size(); ++i) {
      uint64_t actor = options[i].a;  // run: the pid; deliver: the sender
      auto [it, fresh] = priority_.try_emplace(actor, 0);
      if (fresh) it->second = 1'000'000 + static_cast<int64_t>(prng_.below(1'000'000'000));  // random, above change points
      if (it->second > best_p) best_p = it->second, ties_.clear();
      if (it->second == best_p) ties_.push_back(i);
    }
    return ties_.size() == 1 ? ties_[0] : ties_[prng_.below(ties_.size())];
  }
  std::vector<uint32_t> ties_;
  Prng prng_;
  std::map<uint64_t, uint32_t> change_points_;  // step -> new priority
  std::map<uint64_t, int64_t> priority_;        // by actor
  uint64_t step_ = 0;
};

// Stateless DFS over decision lists. The frames of the current schedule are kept; the next
// schedule replays a prefix and takes the next untried, awake option at the deepest frame
// where one exists within the delay bound.
class DfsHook : public DecisionHook {
 public:
  struct Frame {
    std::vector<OptionLabel> options;
    uint32_t chosen = 0;
    std::vector<OptionLabel> done;   // explored here already
    std::vector<OptionLabel> sleep;  // asleep on entry
    uint32_t delays = 0;             // non-canonical choices before this frame
    uint32_t first_awake = 0;        // the canonical choice here (sleep sets may skip option 0)
  };
  DfsHook(uint32_t bound, bool sleep_sets) : bound_(bound), sleep_sets_(sleep_sets) {}

  void begin_schedule() { depth_ = 0; }
  uint32_t choose(DecisionPoint, const std::vector<OptionLabel>& options) override {
    if (depth_ < frames_.size()) {  // replaying the prefix
      Frame& f = frames_[depth_++];
      assert(f.options == options && "exploration is not deterministic: a replayed prefix differs");
      return f.chosen;
    }
    Frame f;
    f.options = options;
    f.delays = frames_.empty() ? 0 : frames_.back().delays + (frames_.back().chosen != frames_.back().first_awake ? 1 : 0);
    if (sleep_sets_ && !frames_.empty()) {
      const Frame& parent = frames_.back();
      const OptionLabel& taken = parent.options[parent.chosen];
      for (const auto* set : {&parent.sleep, &parent.done})
        for (const auto& x : *set)
          if (independent(x, taken) && std::find(f.sleep.begin(), f.sleep.end(), x) == f.sleep.end()) f.sleep.push_back(x);
    }
    f.chosen = 0;  // the canonical choice, or the first awake one (a delay only if forced)
    while (f.chosen + 1 < options.size() && asleep(f, options[f.chosen])) ++f.chosen;
    f.first_awake = f.chosen;
    frames_.push_back(std::move(f));
    ++depth_;
    return frames_.back().chosen;
  }
  // Prepare the next schedule; false when the space within the bound is exhausted.
  bool advance() {
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      f.done.push_back(f.options[f.chosen]);
      for (uint32_t c = f.chosen + 1; c < f.options.size(); ++c) {
        if (f.delays + 1 > bound_) break;  // every c past the canonical one costs a delay
        if (asleep(f, f.options[c])) {
          ++pruned_;
          continue;
        }
        f.chosen = c;
        return true;
      }
      frames_.pop_back();
    }
    return false;
  }
  uint64_t pruned() const { return pruned_; }

 private:
  bool asleep(const Frame& f, const OptionLabel& l) const {
    return sleep_sets_ && std::find(f.sleep.begin(), f.sleep.end(), l) != f.sleep.end();
  }
  uint32_t bound_;
  bool sleep_sets_;
  std::vector<Frame> frames_;
  size_t depth_ = 0;
  uint64_t pruned_ = 0;
};

}  // namespace

ExploreResult explore(const RunSchedule& run, const ExploreOptions& opts,
                      const std::function<void(const ExploreResult&)>& progress) {
  ExploreResult res;
  Coverage cov;
  DfsHook dfs(opts.bound, opts.sleep_sets);
  DporTree tree(opts.bound);
  DporHook dpor;
  uint64_t steps_estimate = 0;
  for (uint64_t i = 0; i < opts.max_schedules; ++i) {
    uint64_t seed = opts.seed + opts.first + i * opts.stride;
    ScheduleRun r;
    if (opts.strategy == ExploreStrategy::random) {
      RandomHook h(seed);
      Recording rec(h, cov);
      r = run(&rec, seed);
    } else if (opts.strategy == ExploreStrategy::pct) {
      if (steps_estimate == 0) {  // one random schedule tells how long schedules are
        RandomHook probe(opts.seed ^ 0x9e3779b97f4a7c15ull);
        Recording rec(probe, cov);
        ScheduleRun p = run(&rec, opts.seed);
        if (p.cut) {
          res.cut = true;
          break;
        }
        steps_estimate = std::max<size_t>(p.decisions.size(), 1);
      }
      PctHook h(seed, std::max<uint32_t>(opts.bound, 1), steps_estimate);
      Recording rec(h, cov);
      r = run(&rec, seed);
    } else if (opts.strategy == ExploreStrategy::dpor) {
      dpor.begin(tree.take());
      Recording rec(dpor, cov);
      r = run(&rec, opts.seed);
      if (!r.cut && !dpor.too_big()) tree.commit(dpor.report());
    } else {
      dfs.begin_schedule();
      Recording rec(dfs, cov);
      r = run(&rec, opts.seed);
    }
    if (r.cut) {
      res.cut = true;
      break;
    }
    ++res.schedules;
    cov.schedules.insert(hash_decisions(r.decisions));
    res.max_depth = std::max<uint64_t>(res.max_depth, r.decisions.size());
    if (!r.failures.empty() && !res.first_failure_at) {
      res.first_failure_at = res.schedules;
      res.failures = r.failures;
      res.failing_decisions = r.decisions;
      res.failing_seed = opts.strategy == ExploreStrategy::random || opts.strategy == ExploreStrategy::pct ? seed : opts.seed;
    }
    res.actor_decisions = cov.actor_decisions.size();
    res.pruned = dfs.pruned();
    res.races = dpor.races();
    res.blocked = dpor.blocked();
    if (progress && (res.schedules % 256 == 0)) {
      set_distinct(res, cov);  // (an estimate's count reads every register: not on every schedule)
      progress(res);
    }
    if (dpor.too_big()) {  // (its report is partial: the tree cannot learn from it)
      res.too_big = true;
      break;
    }
    if (res.first_failure_at && opts.stop_at_first) break;
    if (opts.strategy == ExploreStrategy::dfs && !dfs.advance()) {
      res.exhausted = true;
      break;
    }
    if (opts.strategy == ExploreStrategy::dpor && !tree.has_work()) {
      res.exhausted = !tree.bounded_out();
      break;
    }
  }
  res.pruned = dfs.pruned();
  res.races = dpor.races();
  res.blocked = dpor.blocked();
  set_distinct(res, cov);
  res.coverage = std::move(cov);
  return res;
}

}  // namespace otp::sim
