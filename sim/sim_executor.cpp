#include <otpsim/sim/sim_executor.hpp>

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>

namespace otp::sim {

namespace {
uint32_t checked_delay(uint32_t ms) {
  if (ms > SimOptions::kMaxTimerDelayMs)
    throw std::invalid_argument("SimOptions::timer_delay_max_ms must be 0.." + std::to_string(SimOptions::kMaxTimerDelayMs) +
                                ", got " + std::to_string(ms));
  return ms;
}
}  // namespace

SimExecutor::SimExecutor(const SimOptions& opts)
    : chooser_(opts.script ? Chooser(opts.seed, *opts.script) : Chooser(opts.seed)),
      hook_(opts.hook),
      fault_per_million_(opts.fault_per_million),
      timer_delay_max_ms_(checked_delay(opts.timer_delay_max_ms)),
      steps_wanted_(opts.hook && opts.hook->wants_steps()) {
  chooser_.keep_log(opts.record_decisions);
  if (opts.trace)
    trace_ = std::make_unique<SimTrace>([this] { return SimTrace::Stamp{now_ms_, steps_}; });
}

// runnable_pos_ is indexed by the pid's slot in the process table (pid_index), so it is as
// long as the table, not as the number of pids ever spawned. A process is dead once its slot
// is reused: an entry there for another pid is one that died while runnable (killed by a
// signal), and its step would do nothing, so the new occupant takes its place.
void SimExecutor::make_runnable(Pid pid) {
  if (steps_wanted_) woken_.push_back(pid.id);  // this step enables pid's next run
  uint64_t i = pid_index(pid);
  if (runnable_pos_.size() <= i) runnable_pos_.resize(i + 1, -1);
  if (int32_t pos = runnable_pos_[i]; pos >= 0) {
    runnable_[static_cast<size_t>(pos)] = pid;
    return;
  }
  runnable_pos_[i] = static_cast<int32_t>(runnable_.size());
  runnable_.push_back(pid);
  runnable_since_.push_back(steps_);
}

void SimExecutor::send(Signal&& signal) {
  ChannelKey key{signal.from.id, signal.to.id};
  auto [it, inserted] = channels_.try_emplace(key);
  if (inserted) {
    it->second.ready_index = ready_.size();
    ready_.push_back(key);
    ready_since_.push_back(steps_);
  }
  if (steps_wanted_) sent_.emplace_back(key);
  it->second.queue.push_back(std::move(signal));
  ++in_flight_;
}

uint64_t SimExecutor::arm_timer(int64_t deadline_ms, TimerTarget target) {
  assert(deadline_ms >= now_ms_ && deadline_ms < kNeverMs && "timers for the end of time are never armed");
  if (timer_delay_max_ms_ > 0) deadline_ms = std::min<int64_t>(deadline_after(deadline_ms, choose_delay()), kNeverMs - 1);
  uint64_t id = next_timer_id_++;
  timers_.emplace(deadline_ms, id);
  timer_targets_.emplace(id, ArmedTimer{deadline_ms, now_ms_, target});
  return id;
}

bool SimExecutor::cancel_timer(uint64_t timer_id) {
  auto it = timer_targets_.find(timer_id);
  if (it == timer_targets_.end()) return false;
  timers_.erase({it->second.deadline_ms, timer_id});
  timer_targets_.erase(it);
  return true;
}

bool SimExecutor::fault(std::string_view point) {
  bool hit = false;
  if (hook_ && fault_per_million_ > 0 && !hook_->wants_labels()) {
    hit = hook_->choose_index(DecisionPoint::fault, fault_per_million_) == 1;
    chooser_.record(DecisionPoint::fault, 2, hit ? 1 : 0);
  } else if (hook_ && fault_per_million_ > 0) {
    labels_.assign({OptionLabel{OptionLabel::Kind::fault, 0, 0}, OptionLabel{OptionLabel::Kind::fault, 1, 0}});
    hit = hook_->choose(DecisionPoint::fault, labels_) == 1;
    chooser_.record(DecisionPoint::fault, 2, hit ? 1 : 0);
  } else {
    hit = chooser_.fault(fault_per_million_);
  }
  if (hit && trace_) trace_->emit("fault", {{"point", std::string(point)}});
  return hit;
}

uint64_t SimExecutor::fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t x) { h = (h ^ x) * 1099511628211ull; };
  mix(static_cast<uint64_t>(now_ms_));
  for (Pid pid : node_->live_pids()) {
    Process* p = node_->find(pid);
    mix(pid.id);
    mix(static_cast<uint64_t>(p->state()));
    mix(p->mailbox_size());
    mix(p->links().size());
  }
  for (const auto& [key, ch] : channels_) {  // ordered map: deterministic
    mix(key.first);
    mix(key.second);
    mix(ch.queue.size());
    mix(static_cast<uint64_t>(ch.queue.front().kind));
  }
  for (const auto& [deadline, id] : timers_) mix(static_cast<uint64_t>(deadline));
  return h;
}

std::optional<int64_t> SimExecutor::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

bool SimExecutor::step(int64_t until_ms) {
  assert(node_ && "SimExecutor::attach(node) first");
  auto options = static_cast<uint32_t>(runnable_.size() + ready_.size());
  if (options > 0) {
    if (steps_wanted_) begin_step();
    std::optional<uint32_t> starved = starved_option(options);
    uint32_t c = starved ? *starved : choose_step(options);
    ++steps_;
    OptionLabel label;
    if (c < runnable_.size()) {
      if (steps_wanted_) label = {OptionLabel::Kind::run, runnable_[c].id, 0};
      run_one(c);
    } else {
      uint32_t d = c - static_cast<uint32_t>(runnable_.size());
      if (steps_wanted_) label = {OptionLabel::Kind::deliver, ready_[d].first, ready_[d].second};
      deliver_one(d);
    }
    if (steps_wanted_) end_step(label, false);
    return true;
  }
  if (timers_.empty() || timers_.begin()->first > until_ms) return false;
  if (steps_wanted_) begin_step();
  ++steps_;
  fire_timer();
  if (steps_wanted_) end_step({OptionLabel::Kind::timer, 0, 0}, true);
  return true;
}

std::optional<uint32_t> SimExecutor::starved_option(uint32_t options) {
  if (steps_ < fair_check_at_) return std::nullopt;
  // The option waiting longest (the first of equals: deterministic).
  uint32_t oldest = 0;
  uint64_t since = UINT64_MAX;
  for (size_t i = 0; i < runnable_since_.size(); ++i)
    if (runnable_since_[i] < since) since = runnable_since_[i], oldest = static_cast<uint32_t>(i);
  for (size_t i = 0; i < ready_since_.size(); ++i)
    if (ready_since_[i] < since) since = ready_since_[i], oldest = static_cast<uint32_t>(runnable_.size() + i);
  const uint64_t limit = kFairSteps + kFairPerOption * options;
  if (steps_ - since >= limit) return oldest;
  fair_check_at_ = since + limit;  // the oldest can starve no earlier
  return std::nullopt;
}

uint32_t SimExecutor::choose_delay() {
  uint32_t options = timer_delay_max_ms_ + 1;
  if (!hook_) return chooser_.choose(DecisionPoint::timer_delay, options);
  uint32_t c = 0;
  if (hook_->wants_labels()) {
    labels_.clear();
    for (uint32_t i = 0; i < options; ++i) labels_.push_back({OptionLabel::Kind::delay, i, 0});
    c = hook_->choose(DecisionPoint::timer_delay, labels_);
  } else {
    c = hook_->choose_index(DecisionPoint::timer_delay, options);
  }
  assert(c < options && "a DecisionHook chose an option that does not exist");
  chooser_.record(DecisionPoint::timer_delay, options, c);
  return c;
}

uint32_t SimExecutor::choose_step(uint32_t options) {
  if (!hook_ || options <= 1) return chooser_.choose(DecisionPoint::next_step, options);
  if (!hook_->wants_labels()) {
    uint32_t c = hook_->choose_index(DecisionPoint::next_step, options);
    assert(c < options && "a DecisionHook chose an option that does not exist");
    chooser_.record(DecisionPoint::next_step, options, c);
    return c;
  }
  labels_.clear();
  for (Pid p : runnable_) labels_.push_back({OptionLabel::Kind::run, p.id, 0});
  for (const auto& key : ready_) labels_.push_back({OptionLabel::Kind::deliver, key.first, key.second});
  uint32_t c = hook_->choose(DecisionPoint::next_step, labels_);
  assert(c < options && "a DecisionHook chose an option that does not exist");
  chooser_.record(DecisionPoint::next_step, options, c);
  return c;
}

void SimExecutor::run_one(uint32_t index) {
  Pid pid = runnable_[index];
  Pid last = runnable_.back();
  runnable_[index] = last;
  runnable_pos_[pid_index(last)] = static_cast<int32_t>(index);
  runnable_.pop_back();
  runnable_since_[index] = runnable_since_.back();
  runnable_since_.pop_back();
  runnable_pos_[pid_index(pid)] = -1;
  if (steps_wanted_) touch(AccessObserver::process(pid), false);  // a run needs its process alive: a kill disables it
  node_->run(pid);
}

void SimExecutor::deliver_one(uint32_t index) {
  ChannelKey key = ready_[index];
  auto it = channels_.find(key);
  assert(it != channels_.end());
  Signal s = std::move(it->second.queue.front());
  it->second.queue.pop_front();
  --in_flight_;
  if (it->second.queue.empty()) {
    ChannelKey last = ready_.back();
    ready_[index] = last;
    channels_[last].ready_index = index;
    ready_.pop_back();
    ready_since_[index] = ready_since_.back();
    ready_since_.pop_back();
    channels_.erase(it);
  } else {
    ready_since_[index] = steps_;  // the next signal of the pair is deliverable from now
  }
  node_->deliver(std::move(s));
}

// S90, as measured on the BEAM: of the send_after timers one process set and that are due at
// once, the first set fires first; and a receive's timeout goes before every message timer to
// its process that was set in the same ms and is due in the same ms (one tick of the BEAM's
// timer wheel: the receive ends in its `after` clause and finds those messages in its mailbox
// afterwards, whoever set them, in whichever order). Timers set in different ms race.
bool SimExecutor::held_back(size_t i) const {
  const ArmedTimer& t = timer_targets_.find(tied_[i]->second)->second;
  if (t.target.kind != TimerTarget::Kind::message) return false;
  for (size_t j = 0; j < tied_.size(); ++j) {
    const ArmedTimer& o = timer_targets_.find(tied_[j]->second)->second;
    if (o.target.kind == TimerTarget::Kind::message) {
      if (j < i && t.target.armed_by && o.target.armed_by == t.target.armed_by) return true;
    } else if (o.target.pid == t.target.pid && o.armed_ms == t.armed_ms) {
      return true;
    }
  }
  return false;
}

uint32_t SimExecutor::choose_timer(uint32_t ties) {
  uint32_t c = 0;
  if (hook_ && ties > 1 && !hook_->wants_labels()) {
    c = hook_->choose_index(DecisionPoint::timer_tie, ties);
    chooser_.record(DecisionPoint::timer_tie, ties, c);
  } else if (hook_ && ties > 1) {
    labels_.clear();
    for (uint32_t i = 0; i < ties; ++i) labels_.push_back({OptionLabel::Kind::timer, i, 0});
    c = hook_->choose(DecisionPoint::timer_tie, labels_);
    chooser_.record(DecisionPoint::timer_tie, ties, c);
  } else {
    c = chooser_.choose(DecisionPoint::timer_tie, ties);
  }
  assert(c < ties && "a DecisionHook chose an option that does not exist");
  return c;
}

void SimExecutor::fire_tied(size_t i) {
  TimerPos pos = tied_[i];
  tied_.erase(tied_.begin() + static_cast<ptrdiff_t>(i));
  auto t = timer_targets_.find(pos->second);
  TimerTarget target = t->second.target;
  now_ms_ = pos->first;
  timers_.erase(pos);
  timer_targets_.erase(t);
  node_->fire_timer(target);
}

void SimExecutor::fire_timer() {
  // S90: time jumps to the earliest deadline; of the timers due then, the Chooser picks which
  // fires, among those not held back.
  const int64_t deadline = timers_.begin()->first;
  tied_.clear();
  for (auto it = timers_.begin(); it != timers_.end() && it->first == deadline; ++it) tied_.push_back(it);
  due_.clear();
  for (size_t i = 0; i < tied_.size(); ++i)
    if (!held_back(i)) due_.push_back(i);
  const size_t first = due_[choose_timer(static_cast<uint32_t>(due_.size()))];
  const ArmedTimer fired = timer_targets_.find(tied_[first]->second)->second;
  fire_tied(first);
  if (fired.target.kind != TimerTarget::Kind::receive_timeout) return;
  // The rest of the receive's tick: the message timers to its process set in the ms its timeout
  // was, in the Chooser's order (a process's own still in the order set), before it runs.
  for (;;) {
    due_.clear();
    for (size_t i = 0; i < tied_.size(); ++i) {
      const ArmedTimer& t = timer_targets_.find(tied_[i]->second)->second;
      if (t.target.kind == TimerTarget::Kind::message && t.target.pid == fired.target.pid &&
          t.armed_ms == fired.armed_ms && !held_back(i))
        due_.push_back(i);
    }
    if (due_.empty()) return;
    fire_tied(due_[choose_timer(static_cast<uint32_t>(due_.size()))]);
  }
}

}  // namespace otp::sim
