#include <otpsim/sim/dpor.hpp>

#include <algorithm>
#include <cassert>

namespace otp::sim {

DporHook::DporHook(uint32_t bound) : bound_(bound) {}

void DporHook::begin_schedule() {
  depth_ = 0;
  step_frame_ = -1;
  events_.clear();
  thread_labels_.clear();
  thread_ids_.clear();
  last_of_thread_.clear();
  last_write_.clear();
  reads_since_.clear();
  in_flight_.clear();
  spawned_by_.clear();
  woken_by_.clear();
  last_global_ = -1;
}

uint32_t DporHook::thread_of(const OptionLabel& l) {
  // Timers form one thread (the tie index is a choice of data, not a thread).
  auto key = l.kind == OptionLabel::Kind::timer ? std::make_pair(uint8_t{2}, std::make_pair(uint64_t{0}, uint64_t{0}))
                                                : std::make_pair(static_cast<uint8_t>(l.kind), std::make_pair(l.a, l.b));
  auto [it, fresh] = thread_ids_.try_emplace(key, static_cast<uint32_t>(thread_labels_.size()));
  if (fresh) {
    thread_labels_.push_back(l);
    last_of_thread_.push_back(-1);
  }
  return it->second;
}

void DporHook::join(std::vector<uint32_t>& into, const std::vector<uint32_t>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i) into[i] = std::max(into[i], from[i]);
}

uint32_t DporHook::choose(DecisionPoint point, const std::vector<OptionLabel>& options) {
  if (depth_ < frames_.size()) {  // replaying the prefix
    Frame& f = frames_[depth_];
    assert(f.options == options && "exploration is not deterministic: a replayed prefix differs");
    f.event = events_.size();
    if (f.point == DecisionPoint::next_step) step_frame_ = static_cast<int>(depth_);
    ++depth_;
    return f.chosen;
  }
  Frame f;
  f.point = point;
  f.options = options;
  f.event = events_.size();
  if (!frames_.empty()) {
    const Frame& b = frames_.back();
    f.delays = b.delays + (b.point == DecisionPoint::next_step && b.chosen != 0 ? 1 : 0);
  }
  if (point == DecisionPoint::next_step) {  // the first option, canonically
    f.backtrack.push_back(options[0]);
    step_frame_ = static_cast<int>(frames_.size());
  }
  frames_.push_back(std::move(f));
  ++depth_;
  return frames_.back().chosen;
}

void DporHook::stepped(const StepEvent& e) {
  size_t j = events_.size();
  uint32_t t = thread_of(e.label);
  Event ev{t, e.touched, e.global, {}, step_frame_};
  step_frame_ = -1;
  // Causal predecessors other than dependence: program order, the global last timer, the send
  // of the signal delivered, the spawn of the process run for the first time.
  std::vector<uint32_t> base;
  if (last_of_thread_[t] >= 0) join(base, events_[static_cast<size_t>(last_of_thread_[t])].clock);
  if (last_global_ >= 0) join(base, events_[static_cast<size_t>(last_global_)].clock);
  if (e.label.kind == OptionLabel::Kind::deliver) {
    auto ch = std::make_pair(e.label.a, e.label.b);
    if (auto& q = in_flight_[ch]; !q.empty()) {
      join(base, events_[q.front()].clock);
      q.pop_front();
    }
  } else if (e.label.kind == OptionLabel::Kind::run) {
    if (auto it = woken_by_.find(e.label.a); it != woken_by_.end()) {
      join(base, events_[it->second].clock);
      woken_by_.erase(it);
    }
    if (last_of_thread_[t] < 0)
      if (auto it = spawned_by_.find(e.label.a); it != spawned_by_.end()) join(base, events_[it->second].clock);
  }
  if (e.global)  // a timer fires once nothing else can step: after every event so far
    for (int64_t last : last_of_thread_)
      if (last >= 0) join(base, events_[static_cast<size_t>(last)].clock);
  // Dependence: a read follows the object's last write; a write follows the last write and
  // every read since (those reads follow that write, so it is ordered through them).
  std::vector<size_t> deps;
  auto add = [&deps](size_t k) {
    if (std::find(deps.begin(), deps.end(), k) == deps.end()) deps.push_back(k);
  };
  for (uint64_t a : e.touched) {
    uint64_t o = a & ~StepEvent::kWrite;
    if (auto it = last_write_.find(o); it != last_write_.end()) add(it->second);
    if (a & StepEvent::kWrite)
      if (auto it = reads_since_.find(o); it != reads_since_.end())
        for (size_t k : it->second) add(k);
  }
  if (!e.global && j >= analyse_from_) {
    for (size_t i : deps) {
      if (events_[i].thread == t || events_[i].global) continue;
      std::vector<uint32_t> without = base;
      for (size_t k : deps)
        if (k != i) join(without, events_[k].clock);
      if (happens_before(i, without)) continue;  // ordered through something else: not a race
      ++races_;
      on_race(i, j, e.label, without);
    }
  }
  ev.clock = std::move(base);
  for (size_t k : deps) join(ev.clock, events_[k].clock);
  if (ev.clock.size() <= t) ev.clock.resize(t + 1, 0);
  ev.clock[t] = static_cast<uint32_t>(j + 1);
  last_of_thread_[t] = static_cast<int64_t>(j);
  for (uint64_t a : e.touched) {
    uint64_t o = a & ~StepEvent::kWrite;
    if (a & StepEvent::kWrite) {
      last_write_[o] = j;
      reads_since_.erase(o);
    } else {
      reads_since_[o].push_back(j);
    }
  }
  for (const auto& ch : e.sent) in_flight_[ch].push_back(j);
  for (uint64_t pid : e.spawned) spawned_by_[pid] = j;
  for (uint64_t pid : e.woken)
    if (!(e.label.kind == OptionLabel::Kind::run && e.label.a == pid)) woken_by_[pid] = j;  // (a yield: program order)
  if (e.global) last_global_ = static_cast<int64_t>(j);
  events_.push_back(std::move(ev));
}

// Event i races with event j (thread p): the trace where j's thread goes first at i's frame
// must be explored, unless the frame will already explore an initial of the events that do
// not depend on i (v = notdep(i).p; Source-DPOR's I[E'](v)).
void DporHook::on_race(size_t i, size_t j, const OptionLabel& p, const std::vector<uint32_t>& clock_without_i) {
  int fi = events_[i].frame;
  if (fi < 0) return;  // i was the only step possible there: nothing to reverse
  Frame& f = frames_[static_cast<size_t>(fi)];
  std::vector<size_t> v;
  for (size_t k = i + 1; k < j; ++k)
    if (!happens_before(i, events_[k].clock)) v.push_back(k);
  std::vector<OptionLabel> initials;
  for (size_t a = 0; a < v.size(); ++a) {
    bool has_pred = false;
    for (size_t b = 0; b < a && !has_pred; ++b) has_pred = happens_before(v[b], events_[v[a]].clock);
    if (!has_pred) initials.push_back(thread_labels_[events_[v[a]].thread]);
  }
  bool j_has_pred = std::any_of(v.begin(), v.end(), [&](size_t b) { return happens_before(b, clock_without_i); });
  if (!j_has_pred) initials.push_back(p);
  auto in = [](const std::vector<OptionLabel>& set, const OptionLabel& l) { return std::find(set.begin(), set.end(), l) != set.end(); };
  for (const auto& q : initials)
    if (in(f.backtrack, q)) return;
  for (const auto& q : initials)
    if (in(f.options, q)) {
      f.backtrack.push_back(q);
      return;
    }
  for (const auto& o : f.options)  // no initial is enabled there (not expected): explore them all
    if (!in(f.backtrack, o)) f.backtrack.push_back(o);
}

bool DporHook::advance() {
  while (!frames_.empty()) {
    Frame& f = frames_.back();
    if (f.point != DecisionPoint::next_step) {  // a choice of data: every option
      if (f.chosen + 1 < f.options.size()) {
        ++f.chosen;
        analyse_from_ = f.event;
        return true;
      }
      frames_.pop_back();
      continue;
    }
    f.done.push_back(f.options[f.chosen]);
    for (const OptionLabel& q : f.backtrack) {
      if (std::find(f.done.begin(), f.done.end(), q) != f.done.end()) continue;
      auto c = static_cast<uint32_t>(std::find(f.options.begin(), f.options.end(), q) - f.options.begin());
      if (c != 0 && f.delays + 1 > bound_) {
        bounded_out_ = true;
        continue;
      }
      f.chosen = c;
      analyse_from_ = f.event;
      return true;
    }
    frames_.pop_back();
  }
  return false;
}

}  // namespace otp::sim
