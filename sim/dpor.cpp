#include <otpsim/sim/dpor.hpp>

#include <algorithm>
#include <cassert>

#include <otpsim/core/kernel/access_observer.hpp>

namespace otp::sim {

bool DporSleeper::depends_on(const std::vector<uint64_t>& other, bool other_global) const {
  if (global || other_global) return true;
  for (uint64_t a : touched)
    for (uint64_t b : other)
      if (((a ^ b) & ~StepEvent::kWrite) == 0 && ((a | b) & StepEvent::kWrite)) return true;  // one object, not two reads
  return false;
}

namespace {
bool has_label(const std::vector<DporSleeper>& set, const OptionLabel& l) {
  return std::any_of(set.begin(), set.end(), [&](const DporSleeper& s) { return s.label == l; });
}
}  // namespace

DporTree::DporTree(uint32_t bound) : bound_(bound) {}

DporTree::~DporTree() {
  if (root_) release(root_.release());
}

// Frees a subtree without recursion (a schedule may be thousands of frames deep).
void DporTree::release(DporFrame* n) {
  std::vector<DporFrame*> todo{n};
  while (!todo.empty()) {
    DporFrame* f = todo.back();
    todo.pop_back();
    for (auto& [c, kid] : f->children) todo.push_back(kid.release());
    --frames_;
    delete f;
  }
}

DporBranch DporTree::take() {
  assert(has_work());
  if (!started_) {
    started_ = true;
    return {};
  }
  DporBranch b = std::move(const_cast<Queued&>(queue_.top()).branch);
  queue_.pop();
  // Asleep at the alternative: what was asleep on reaching its frame and, for a scheduling
  // choice, every step already run from there (their traces are explored or being explored).
  DporFrame* n = b.node;
  b.sleep.clear();
  if (n->point == DecisionPoint::next_step) {
    const OptionLabel& alternative = n->options[b.decisions.back()];
    for (const auto* set : {&n->sleep, &n->explored})
      for (const DporSleeper& s : *set)
        if (!(s.label == alternative) && !has_label(b.sleep, s.label) &&
            !(b.guide_awake && std::find(b.guide.begin(), b.guide.end(), s.label) != b.guide.end()))
          b.sleep.push_back(s);
  } else {
    b.sleep = n->sleep;
  }
  return b;
}

void DporTree::enqueue(DporFrame* n, const std::vector<uint32_t>& decisions, size_t depth, uint32_t choice, std::vector<OptionLabel> guide,
                       bool guide_awake) {
  DporBranch b;
  b.guide = std::move(guide);
  b.guide_awake = guide_awake;
  b.decisions.assign(decisions.begin(), decisions.begin() + static_cast<std::ptrdiff_t>(depth));
  b.decisions.push_back(choice);
  b.node = n;
  for (DporFrame* f = n; f; f = f->parent) ++f->live;
  queue_.push({depth + 1, order_++, std::move(b)});
}

void DporTree::add_to_backtrack(DporFrame* n, const OptionLabel& q, const std::vector<uint32_t>& decisions, size_t depth,
                                std::vector<OptionLabel> guide, bool guide_awake) {
  n->backtrack.push_back(q);
  auto c = static_cast<uint32_t>(std::find(n->options.begin(), n->options.end(), q) - n->options.begin());
  assert(c < n->options.size());
  if (c != 0 && n->delays + 1 > bound_) {
    bounded_out_ = true;
    return;
  }
  enqueue(n, decisions, depth, c, std::move(guide), guide_awake);
}

void DporTree::commit(const DporReport& r) {
  // The frames of this schedule, root first: the branch's own (walked up from its frame), then
  // the new ones.
  std::vector<DporFrame*> path(r.decisions.size(), nullptr);
  assert(r.first_new + r.new_frames.size() == r.decisions.size());
  if (r.branch) {
    assert(r.first_new >= 1);
    DporFrame* f = r.branch;
    for (size_t d = r.first_new; d-- > 0; f = f->parent) path[d] = f;
    assert(f == nullptr && "a branch's frames lead to the root");
  }
  for (size_t k = 0; k < r.new_frames.size(); ++k) {
    size_t d = r.first_new + k;
    auto f = std::make_unique<DporFrame>();
    f->point = r.new_frames[k].point;
    f->options = r.new_frames[k].options;
    f->delays = r.new_frames[k].delays;
    f->sleep = r.new_frames[k].sleep;
    if (f->point == DecisionPoint::next_step) f->explored.push_back(r.new_frames[k].taken);
    DporFrame* raw = f.get();
    ++frames_;
    if (d == 0) {
      assert(!root_ && "the first schedule is the only one that reaches the root fresh");
      root_ = std::move(f);
    } else {
      raw->parent = path[d - 1];
      raw->parent->children.emplace_back(r.decisions[d - 1], std::move(f));
    }
    path[d] = raw;
    if (raw->point == DecisionPoint::next_step) {
      raw->backtrack.push_back(raw->options[r.decisions[d]]);  // the canonical first option, taken
    } else {
      for (uint32_t c = 1; c < raw->options.size(); ++c) enqueue(raw, r.decisions, d, c);  // a choice of data: every option
    }
  }
  if (r.branch && r.branch->point == DecisionPoint::next_step) r.branch->explored.push_back(r.branch_taken);
  // Each race asks its frame to explore an initial of the steps that do not depend on the
  // earlier one, unless the frame explores one already (Source-DPOR's I[E'](v)), and then the
  // rest of those steps.
  for (const auto& race : r.races) {
    DporFrame* f = path[race.depth];
    auto in = [](const std::vector<OptionLabel>& set, const OptionLabel& l) { return std::find(set.begin(), set.end(), l) != set.end(); };
    // An initial asleep there: the traces starting with it are explored from where it fell asleep.
    if (std::any_of(race.initials.begin(), race.initials.end(),
                    [&](const OptionLabel& q) { return in(f->backtrack, q) || (!race.ended && has_label(f->sleep, q)); }))
      continue;
    auto enabled = std::find_if(race.initials.begin(), race.initials.end(), [&](const OptionLabel& q) { return in(f->options, q); });
    // A race that ended the later step's process reverses to that process's own run where it can
    // (the last of the sequence), and its branch keeps the sequence's steps awake (take()).
    if (race.ended && !race.sequence.empty() && in(race.initials, race.sequence.back()) && in(f->options, race.sequence.back()))
      enabled = std::find(race.initials.begin(), race.initials.end(), race.sequence.back());
    if (enabled != race.initials.end()) {
      std::vector<OptionLabel> guide = race.sequence;
      if (auto it = std::find(guide.begin(), guide.end(), *enabled); it != guide.end()) guide.erase(it);
      add_to_backtrack(f, *enabled, r.decisions, race.depth, std::move(guide), race.ended);
      continue;
    }
    for (const auto& o : std::vector<OptionLabel>(f->options))  // no initial is enabled there (not expected): explore them all
      if (!in(f->backtrack, o)) add_to_backtrack(f, o, r.decisions, race.depth, {});
  }
  // This branch is done; frames with no branch left at or below them are never visited again.
  if (r.branch)
    for (DporFrame* f = r.branch; f; f = f->parent) --f->live;
  for (size_t d = 0; d < path.size(); ++d) {
    if (path[d]->live > 0) continue;
    if (d == 0) {
      release(root_.release());
    } else {
      auto& kids = path[d - 1]->children;
      auto it = std::find_if(kids.begin(), kids.end(), [&](const auto& k) { return k.second.get() == path[d]; });
      assert(it != kids.end());
      release(it->second.release());
      kids.erase(it);
    }
    break;
  }
}

void DporHook::begin(const DporBranch& branch) {
  script_ = branch.decisions;
  frames_.clear();
  report_ = DporReport{};
  report_.branch = branch.node;
  report_.first_new = script_.size();
  guide_.assign(branch.guide.begin(), branch.guide.end());
  branch_sleep_ = branch.sleep;
  sleep_.clear();
  sleeping_ = script_.empty();
  blocked_ = false;
  too_big_ = false;
  clock_entries_ = 0;
  analyse_from_ = script_.empty() ? 0 : SIZE_MAX;  // from the branch's frame on
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
  dep_mark_.clear();
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

bool DporHook::asleep(const OptionLabel& l) const { return sleeping_ && has_label(sleep_, l); }

void DporHook::block() {
  blocked_ = true;
  ++blocked_runs_;
}

uint32_t DporHook::choose(DecisionPoint point, const std::vector<OptionLabel>& options) {
  if (blocked_) return 0;  // the rest of this run repeats an explored trace: nothing is learnt
  size_t d = frames_.size();
  uint32_t delays = 0;
  if (d > 0) {
    const Frame& b = frames_.back();
    delays = b.delays + (b.point == DecisionPoint::next_step && b.chosen != 0 ? 1 : 0);
  }
  uint32_t c = 0;  // past the branch: the canonical first option
  if (d < script_.size()) {
    c = script_[d];
    assert(c < options.size() && "exploration is not deterministic: a replayed prefix differs");
    if (d + 1 == script_.size()) {  // the branch frame: its alternative, with what sleeps there
      analyse_from_ = events_.size();
      sleeping_ = true;
      sleep_ = branch_sleep_;
      if (point == DecisionPoint::next_step) report_.branch_taken.label = options[c];
    }
  } else {
    DporReport::Frame nf{point, options, delays, sleep_, {}};
    if (point == DecisionPoint::next_step) {
      // The first step awake, or the reversal's next step once possible (steered).
      while (c < options.size() && asleep(options[c])) ++c;
      if (!guide_.empty())
        if (auto it = std::find(options.begin(), options.end(), guide_.front()); it != options.end() && !asleep(*it))
          c = static_cast<uint32_t>(it - options.begin());
      if (c == options.size()) {  // every enabled step is asleep: an explored trace again
        block();
        return 0;
      }
      nf.taken.label = options[c];
    }
    report_.new_frames.push_back(std::move(nf));
  }
  if (point == DecisionPoint::next_step) step_frame_ = static_cast<int>(d);
  frames_.push_back({point, c, delays});
  report_.decisions.push_back(c);
  return c;
}

void DporHook::stepped(const StepEvent& e) {
  if (blocked_) return;
  if (!e.global && step_frame_ < 0 && asleep(e.label)) {  // the one step possible is asleep
    block();
    return;
  }
  if (!guide_.empty())  // a step of the guide taken (steered, forced or canonical) is done
    if (auto it = std::find(guide_.begin(), guide_.end(), e.label); it != guide_.end()) guide_.erase(it);
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
  if (e.global) {  // a timer fires once nothing else can step: after every event so far
    // Latest first: an earlier last event that happens before one joined already adds nothing.
    std::vector<size_t> lasts;
    for (int64_t last : last_of_thread_)
      if (last >= 0) lasts.push_back(static_cast<size_t>(last));
    std::sort(lasts.rbegin(), lasts.rend());
    for (size_t k : lasts)
      if (!happens_before(k, base)) join(base, events_[k].clock);
  }
  // Dependence: a read follows the object's last write; a write follows the last write and
  // every read since (those reads follow that write, so it is ordered through them). In order
  // of first mention (the races are reported in it); dep_mark_ dedups in O(1).
  std::vector<size_t> deps;
  if (dep_mark_.size() < j + 1) dep_mark_.resize(j + 1, 0);
  auto add = [&](size_t k) {
    if (dep_mark_[k] == j + 1) return;
    dep_mark_[k] = static_cast<uint32_t>(j + 1);
    deps.push_back(k);
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
      // i is ordered before j through something else when the base or another dependency
      // follows it: only i's own thread's entry of their join matters, so no clock is built.
      // (A dependency k that follows i comes after it: k > i.)
      if (happens_before(i, base) ||
          std::any_of(deps.begin(), deps.end(), [&](size_t k) { return k > i && happens_before(i, events_[k].clock); }))
        continue;
      ++races_;
      std::vector<uint32_t> without = base;  // (built for a race only: on_race reads all of it)
      for (size_t k : deps)
        if (k != i) join(without, events_[k].clock);
      on_race(i, j, e.label, without);
    }
  }
  // The clock: the base joined with every dependency not already ordered before the base or a
  // later dependency (such a one's clock is below theirs), latest first.
  std::vector<size_t> order = deps;
  std::sort(order.rbegin(), order.rend());
  std::vector<size_t> joined;
  for (size_t k : order) {
    if (happens_before(k, base) || std::any_of(joined.begin(), joined.end(), [&](size_t m) { return happens_before(k, events_[m].clock); }))
      continue;
    joined.push_back(k);
  }
  ev.clock = std::move(base);
  for (size_t k : joined) join(ev.clock, events_[k].clock);
  if (ev.clock.size() <= t) ev.clock.resize(t + 1, 0);
  ev.clock[t] = static_cast<uint32_t>(j + 1);
  clock_entries_ += ev.clock.size();
  if (clock_entries_ > kMaxClockEntries) {  // the rest runs canonically, unanalysed; its memory goes now
    too_big_ = blocked_ = true;
    events_ = {};
    return;
  }
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
  // The chosen step's footprint, for the frame's sleep sets; then the sleepers it wakes.
  if (ev.frame >= 0 && static_cast<size_t>(ev.frame) + 1 == script_.size()) {
    report_.branch_taken.touched = e.touched;
    report_.branch_taken.global = e.global;
  } else if (ev.frame >= 0 && static_cast<size_t>(ev.frame) >= report_.first_new) {
    DporSleeper& taken = report_.new_frames[static_cast<size_t>(ev.frame) - report_.first_new].taken;
    taken.touched = e.touched;
    taken.global = e.global;
  }
  if (sleeping_)
    std::erase_if(sleep_, [&](const DporSleeper& s) { return s.label == e.label || s.depends_on(e.touched, e.global); });
  events_.push_back(std::move(ev));
}

// Event i races with event j (thread p): the trace where j's thread goes first at i's frame
// must be explored, unless the frame will already explore an initial of the events that do
// not depend on i (v = notdep(i).p; Source-DPOR's I[E'](v)).
void DporHook::on_race(size_t i, size_t j, const OptionLabel& p, const std::vector<uint32_t>& clock_without_i) {
  int fi = events_[i].frame;
  if (fi < 0) return;  // i was the only step possible there: nothing to reverse
  std::vector<size_t> v;
  for (size_t k = i + 1; k < j; ++k)
    if (!happens_before(i, events_[k].clock)) v.push_back(k);
  std::vector<OptionLabel> initials, sequence;
  for (size_t k : v) sequence.push_back(thread_labels_[events_[k].thread]);
  sequence.push_back(p);
  // An initial has no predecessor in v. Some earlier event of v on thread u happens before v[a]
  // exactly when the first of them does, so one entry per thread is checked, not every pair.
  std::vector<std::pair<uint32_t, size_t>> first_of_thread;  // (thread, its first event in v)
  for (size_t a : v) {
    const std::vector<uint32_t>& clock = events_[a].clock;
    bool has_pred = std::any_of(first_of_thread.begin(), first_of_thread.end(),
                                [&](const auto& f) { return f.first < clock.size() && clock[f.first] >= f.second + 1; });
    if (!has_pred) initials.push_back(thread_labels_[events_[a].thread]);
    uint32_t u = events_[a].thread;
    if (std::none_of(first_of_thread.begin(), first_of_thread.end(), [&](const auto& f) { return f.first == u; }))
      first_of_thread.emplace_back(u, a);
  }
  bool j_has_pred = std::any_of(v.begin(), v.end(), [&](size_t b) { return happens_before(b, clock_without_i); });
  if (!j_has_pred) initials.push_back(p);
  uint64_t life = AccessObserver::process(Pid{p.actor()}) | StepEvent::kWrite;
  bool ended = std::find(events_[i].touched.begin(), events_[i].touched.end(), life) != events_[i].touched.end();
  report_.races.push_back({static_cast<size_t>(fi), std::move(initials), std::move(sequence), ended});
}

}  // namespace otp::sim
