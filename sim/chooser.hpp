#pragma once
// Chooser: the one owner of nondeterminism in a simulated world. Every decision point is
// named and recorded, so a run is reproduced from its seed or from its decision list.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otp::sim {

// xoshiro256** seeded through splitmix64: a named algorithm, identical on every platform.
class Prng {
 public:
  explicit Prng(uint64_t seed);
  uint64_t next();
  // Uniform in [0, n), without modulo bias; n > 0. Never std::uniform_int_distribution,
  // whose results differ between standard libraries.
  uint64_t below(uint64_t n);

 private:
  uint64_t s_[4];
};

enum class DecisionPoint : uint8_t { next_step, timer_tie, fault, timer_delay };
const char* to_string(DecisionPoint p);

struct Decision {
  DecisionPoint point;
  uint32_t options;  // how many there were
  uint32_t choice;
};

// What an option at a decision point is, for strategies that look (PCT, DFS with sleep sets):
// run a process, deliver the head signal of the (from, to) channel, fire one of several timers
// due at the same ms, answer a fault point, or delay a timer being armed by a ms count.
struct OptionLabel {
  enum class Kind : uint8_t { run, deliver, timer, fault, delay } kind = Kind::run;
  uint64_t a = 0;  // run: pid; deliver: from; timer: tie index; delay: ms
  uint64_t b = 0;  // deliver: to
  friend bool operator==(const OptionLabel&, const OptionLabel&) = default;
  // The process this step acts on: the runner, or the signal's receiver.
  uint64_t actor() const { return kind == Kind::deliver ? b : a; }
};

// One step as a partial-order reduction sees it: which thread of execution took it (a run of a
// process, the delivery at the head of one channel, or a timer: global, it waits for
// quiescence), the shared objects it touched (core/kernel/access_observer.hpp), the channels it
// sent on (in order), the processes it spawned and those it made runnable.
struct StepEvent {
  static constexpr uint64_t kWrite = uint64_t{1} << 63;  // in `touched`: the step wrote the object
  OptionLabel label;
  bool global = false;
  const std::vector<uint64_t>& touched;
  const std::vector<std::pair<uint64_t, uint64_t>>& sent;
  const std::vector<uint64_t>& spawned;
  const std::vector<uint64_t>& woken;  // processes this step made runnable (their next run follows it)
};

// A strategy that picks among labelled options instead of the seeded PRNG (sim/explore).
class DecisionHook {
 public:
  // A hook that wants every step's StepEvent (dpor) says so.
  virtual bool wants_steps() const { return false; }
  virtual void stepped(const StepEvent&) {}
  virtual ~DecisionHook() = default;
  virtual uint32_t choose(DecisionPoint point, const std::vector<OptionLabel>& options) = 0;
  // A hook that never looks at the labels (a recorded stream of numbers) says so: the executor
  // then calls choose_index and builds no label list on every step.
  // For DecisionPoint::fault, `options` is the fault's probability per million and the
  // answer is 1 (fire) or 0.
  virtual bool wants_labels() const { return true; }
  virtual uint32_t choose_index(DecisionPoint, uint32_t /*options*/) { return 0; }
};

class Chooser {
 public:
  explicit Chooser(uint64_t seed) : prng_(seed) {}
  // Replay: take choices from `script`; once it runs out, choose 0 (the canonical choice),
  // which is what lets a shrinker cut a decision list short.
  Chooser(uint64_t seed, std::vector<uint32_t> script)
      : prng_(seed), script_(std::move(script)), replaying_(true) {}

  uint32_t choose(DecisionPoint point, uint32_t options);
  // A choice made by a DecisionHook, recorded like any other so the run replays from its list.
  void record(DecisionPoint point, uint32_t options, uint32_t choice) {
    if (keep_log_) log_.push_back({point, options, choice});
  }
  // The decision list (12 bytes a decision) is what a replay or a shrink needs, and the one
  // thing a simulated world keeps for every step; a long run that will never be replayed may
  // turn it off (SimOptions::record_decisions). log() and choices() are then empty.
  void keep_log(bool on) { keep_log_ = on; }
  // A fault fires with probability per_million / 1e6 (swarm testing draws it per seed).
  bool fault(uint32_t per_million);

  const std::vector<Decision>& log() const { return log_; }
  std::vector<uint32_t> choices() const;
  bool replay_diverged() const { return diverged_; }

 private:
  Prng prng_;
  std::vector<uint32_t> script_;
  size_t script_pos_ = 0;
  bool replaying_ = false;
  bool diverged_ = false;  // a scripted choice was out of range for this run
  bool keep_log_ = true;
  std::vector<Decision> log_;
};

}  // namespace otp::sim
