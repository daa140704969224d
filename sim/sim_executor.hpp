#pragma once
// SimExecutor: deterministic, single-threaded, virtual time (S90). One step is either running
// one runnable process until it suspends, or delivering the oldest signal of one (from, to)
// channel; the Chooser picks which. When nothing can step, time jumps to the next timer.
#include <cstdint>
#include <deque>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <otpsim/core/kernel/executor.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/sim/chooser.hpp>
#include <otpsim/sim/trace.hpp>

namespace otp::sim {

struct SimOptions {
  uint64_t seed = 1;
  std::optional<std::vector<uint32_t>> script{};  // replay this decision list instead
  bool trace = false;
  uint32_t fault_per_million = 0;               // probability of each named fault point
  DecisionHook* hook = nullptr;                 // explore: a strategy chooses, not the seed
  bool record_decisions = true;                 // keep the decision list (replay tokens, shrinking)
  // Each timer armed may fire up to this many ms late (a Chooser decision per timer; OTP's
  // timeouts are lower bounds). 0: every timer fires at its deadline, with no decision. At most
  // kMaxTimerDelayMs (more throws std::invalid_argument).
  uint32_t timer_delay_max_ms = 0;
  static constexpr uint32_t kMaxTimerDelayMs = 60'000;
};

class SimExecutor final : public Executor, private AccessObserver {
 public:
  explicit SimExecutor(const SimOptions& opts);
  void attach(Node& node) {
    node_ = &node;
    if (steps_wanted_) node.set_access_observer(this);
  }

  int64_t now_ms() const override { return now_ms_; }
  void make_runnable(Pid pid) override;
  void send(Signal&& signal) override;
  uint64_t arm_timer(int64_t deadline_ms, TimerTarget target) override;
  bool cancel_timer(uint64_t timer_id) override;
  bool fault(std::string_view point) override;
  TraceSink* trace() override { return trace_.get(); }

  // One step; false when nothing is runnable, in flight, or timed (quiescent).
  bool step(int64_t until_ms = INT64_MAX);
  bool has_work() const { return !runnable_.empty() || !ready_.empty(); }
  std::optional<int64_t> next_deadline() const;
  void advance_to(int64_t ms) {
    if (ms > now_ms_) now_ms_ = ms;
  }

  uint64_t steps() const { return steps_; }
  // A hash of the observable world state (time, processes' states and mailbox sizes and links,
  // in-flight signals per channel, timers). Coroutine frames are opaque, so equal fingerprints
  // do not prove equal states: explore counts distinct fingerprints, it never prunes by them.
  uint64_t fingerprint() const;
  // What fingerprint() reads: process table slots, channels, timers (explore samples by it).
  uint64_t fingerprint_cost() const { return node_->table_slots() + channels_.size() + timers_.size(); }
  size_t in_flight() const { return in_flight_; }
  size_t pending_timers() const { return timers_.size(); }
  Chooser& chooser() { return chooser_; }
  SimTrace* sim_trace() { return trace_.get(); }
  const SimTrace* sim_trace() const { return trace_.get(); }

 private:
  static constexpr uint64_t kWrite = StepEvent::kWrite;
  // touched_ holds object | kWrite for a write; a read and a write of one object make a write.
  void touch(uint64_t object, bool write) override {
    for (auto& t : touched_)
      if ((t & ~kWrite) == object) {
        if (write) t |= kWrite;
        return;
      }
    touched_.push_back(write ? object | kWrite : object);
  }
  void spawned(Pid pid) override { spawned_.push_back(pid.id); }
  // Messages are named by the step that delivered them (kMessageTag | step), mirrored per
  // mailbox so a take at an index knows which message it took.
  void mailbox_push(Pid to, bool handed) override {
    uint64_t id = message(steps_);
    touch(mailbox(to), true);  // arrivals to one mailbox never commute: their order is the mailbox's
    touch(id, true);
    if (handed) handed_[to.id] = id;
    else mailboxes_[to.id].push_back(id);
  }
  void mailbox_take(Pid of, size_t index) override {
    if (index == kHanded) {
      touch(handed_[of.id], true);
      return;
    }
    auto& q = mailboxes_[of.id];
    if (index < q.size()) {  // (messages pushed before the observer was set are not mirrored)
      touch(q[index], true);
      q.erase(q.begin() + static_cast<ptrdiff_t>(index));
    }
  }
  void begin_step() {
    touched_.clear();
    sent_.clear();
    spawned_.clear();
    woken_.clear();
  }
  void end_step(OptionLabel label, bool global) { hook_->stepped({label, global, touched_, sent_, spawned_, woken_}); }
  void run_one(uint32_t index);
  void deliver_one(uint32_t index);
  void fire_timer();
  bool held_back(size_t i) const;
  uint32_t choose_timer(uint32_t ties);
  void fire_tied(size_t i);
  uint32_t choose_step(uint32_t options);
  uint32_t choose_delay();

  Node* node_ = nullptr;
  Chooser chooser_;
  DecisionHook* hook_;
  std::vector<OptionLabel> labels_;  // scratch for the hook
  using TimerPos = std::set<std::pair<int64_t, uint64_t>>::iterator;
  std::vector<TimerPos> tied_;  // scratch: the timers due at fire_timer's deadline, in the order set
  std::vector<size_t> due_;     // scratch: those of them that may fire next (indices into tied_)
  std::unique_ptr<SimTrace> trace_;
  uint32_t fault_per_million_;
  uint32_t timer_delay_max_ms_;
  bool steps_wanted_ = false;  // the hook takes a StepEvent per step (partial-order reduction)
  std::vector<uint64_t> touched_;
  std::vector<std::pair<uint64_t, uint64_t>> sent_;
  std::vector<uint64_t> spawned_;
  std::vector<uint64_t> woken_;
  std::unordered_map<uint64_t, std::deque<uint64_t>> mailboxes_;  // pid -> message ids, in mailbox order
  std::unordered_map<uint64_t, uint64_t> handed_;                  // pid -> the message handed to its receive
  int64_t now_ms_ = 0;
  uint64_t steps_ = 0;

  std::vector<Pid> runnable_;
  std::vector<int32_t> runnable_pos_;  // by pid_index; -1 = not runnable
  std::vector<uint64_t> runnable_since_;  // beside runnable_: the step it became runnable

  struct Channel {
    std::deque<Signal> queue;
    size_t ready_index;
  };
  using ChannelKey = std::pair<uint64_t, uint64_t>;  // (from, to): FIFO per pair only (S5)
  std::map<ChannelKey, Channel> channels_;
  std::vector<ChannelKey> ready_;
  std::vector<uint64_t> ready_since_;  // beside ready_: the step its head became deliverable

  // Fairness, as the BEAM's scheduler gives it (a process is preempted after its reductions, a
  // signal is delivered in microseconds): an option left waiting for kFairSteps + kFairPerOption
  // x options steps is taken next, whatever the Chooser would say. No random schedule comes
  // near that; a schedule that always takes the first option (a replay past its script, the
  // canonical DFS branch) or a PCT priority would otherwise starve a signal forever behind a
  // process that keeps itself busy (a supervisor retrying a restart that the signal would let
  // succeed), and report a livelock no BEAM can show. A forced step is not a decision.
  static constexpr uint64_t kFairSteps = 4096;
  static constexpr uint64_t kFairPerOption = 64;
  uint64_t fair_check_at_ = kFairSteps;  // no option can have starved before this step
  std::optional<uint32_t> starved_option(uint32_t options);
  size_t in_flight_ = 0;

  uint64_t next_timer_id_ = 1;
  std::set<std::pair<int64_t, uint64_t>> timers_;  // (deadline, id): ids in the order set
  struct ArmedTimer {
    int64_t deadline_ms;
    int64_t armed_ms;  // when it was set: timers set in one ms and due in one ms fire as one tick
    TimerTarget target;
  };
  std::unordered_map<uint64_t, ArmedTimer> timer_targets_;  // lookup only
};

}  // namespace otp::sim
