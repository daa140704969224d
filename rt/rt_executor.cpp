#include <otpsim/rt/rt_executor.hpp>

#include <otpsim/rt/asymmetric_fence.hpp>

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace otp::rt {

namespace {
thread_local RtExecutor* t_exec = nullptr;
thread_local unsigned t_worker = 0;
thread_local uint64_t t_current = 0;  // the slot (pid_index) this thread is delivering to or running
thread_local void* t_current_slot = nullptr;  // that slot (Slot is private to RtExecutor)
// Signals delivered to a process per turn: a flooded server works through its inbox in steps,
// so its mailbox stays small and other processes get turns in between.
constexpr size_t kDeliveryBudget = 128;
// A worker measures its busy time per turn over this many turns (one clock read each time).
constexpr uint64_t kTurnWindow = 64;
// While a worker's overflow holds processes, one take in this many serves it first (as Go's
// scheduler looks at its global queue every 61 ticks).
constexpr uint64_t kOverflowEvery = 61;
// A queue this long is worth sharing whatever its turns take (worth_sharing).
constexpr uint64_t kManyQueued = 128;
// A process woken this many times running from one other worker follows its wakers there.
constexpr uint32_t kSteadyWakes = 8;
// What an idle worker last saw of another worker: its turn count, and since when (sharing).
struct Watch {
  uint64_t turns = ~uint64_t{0};
  uint64_t sent = 0;
  int64_t since_ns = 0;
};
// A long turn that sends this many messages while an idle worker watches it is talking, not
// stuck (see backlog_due).
constexpr uint64_t kTalkingTurn = 64;
thread_local std::vector<Watch> t_watch;
// What a thief's last steal brought it, judged by the thief itself when it next runs out of
// work: the time it was busy since against what the messages its turns sent across cost. A
// coordinator's 10,000 spawned processes that each send one result back look like any long
// backlog to the victim's counters (its average time per turn is inflated by the spawning
// turn), but each one the thief runs is a 300 ns turn whose result crosses back: only the thief
// sees that taking them does not pay.
struct Taken {
  bool pending = false;  // a steal not yet judged
  // How many processes the next steal may take: one until a steal pays, then twice as many
  // after each that does (a turn that lost its core for a while looks paid: one such look
  // must not move half a queue of short processes at once).
  uint64_t allow = 1;
  uint64_t cross = 0;    // the thief's crossing count at the steal
  int64_t at_ns = 0;     // when it stole
  int64_t refuse_ns = 0;          // how long it refuses now (doubles while steals do not pay)
  int64_t refuse_until_ns = 0;    // takes nothing before this
};
thread_local Taken t_taken;
// What a short process moved to a thief costs the worker it came from, per message its turns
// then send back across: the crossing itself (~0.5-1 us on the 2-core VM the benchmarks run
// on), and the process's memory flowing from the spawner's caches to the thief's (its record
// and frame freed there, allocated here again from colder blocks). Mostly code, so a build
// whose code runs ~10x slower (no optimiser, or a sanitizer's instrumentation) pays ~10x.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define OTP_RT_INSTRUMENTED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(NDEBUG)
#define OTP_RT_INSTRUMENTED 1
#endif
#ifdef OTP_RT_INSTRUMENTED
constexpr uint64_t kCrossingNs = 30'000;
#else
constexpr uint64_t kCrossingNs = 3'000;
#endif
// Bounds of a thief's refusal: the first unpaid steal refuses at least this long, a run of them
// at most the longer one, so independent work that follows short chatty work is shared again
// within a few milliseconds.
constexpr int64_t kMinRefuseNs = 20'000, kMaxRefuseNs = 8'000'000;
}  // namespace

namespace {
unsigned checked_threads(unsigned threads) {
  if (threads > RtExecutor::kMaxThreads)
    throw std::invalid_argument("rt: threads must be 0 (one per hardware thread) to " +
                                std::to_string(RtExecutor::kMaxThreads) + ", got " + std::to_string(threads));
  return threads ? threads : std::clamp(std::thread::hardware_concurrency(), 1u, RtExecutor::kMaxThreads);
}
}  // namespace

RtExecutor::RtExecutor(unsigned threads, std::chrono::nanoseconds share_after)
    : epoch_(std::chrono::steady_clock::now()),
      nthreads_(checked_threads(threads)),
      share_after_ns_(static_cast<uint64_t>(std::max<int64_t>(0, share_after.count()))),
      threshold_ns_(share_after_ns_) {
  prepare_asymmetric_fences();
  for (unsigned i = 0; i < nthreads_; ++i) {
    local_.push_back(std::make_unique<RunQueue>());
    overflow_.push_back(std::make_unique<Overflow>());
    home_.push_back(std::make_unique<HomeStack>());
  }
  sleeping_ = std::make_unique<std::atomic<bool>[]>(nthreads_);
  working_ = std::make_unique<std::atomic<bool>[]>(nthreads_);
  counts_ = std::make_unique<Counts[]>(nthreads_ + 1);
  assert(nthreads_ < kNoHome && "worker numbers must fit a slot's home");
}

RtExecutor::~RtExecutor() { stop(); }

void RtExecutor::start(Node& node) {
  assert(!node_ && "RtExecutor::start called twice");
  node_ = &node;
  wheel_ = std::make_unique<TimerWheel>([this] { return now_ms(); },
                                        [this](const TimerTarget& t) {
                                          // A timer to a name fires where the process that set it runs.
                                          enqueue(t.by_name ? t.armed_by : t.pid, t);
                                        });
  for (unsigned i = 0; i < nthreads_; ++i) workers_.emplace_back([this, i] { worker(i); });
}

void RtExecutor::stop() {
  {
    std::lock_guard lock(idle_mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  // Only now: a worker still running a turn may arm or cancel a timer until it is joined.
  wheel_.reset();  // no more timers fire
}

int64_t RtExecutor::clock_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

int64_t RtExecutor::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

unsigned RtExecutor::shard() const { return t_exec == this ? t_worker : nthreads_; }

RtExecutor::Slot* RtExecutor::slot(uint64_t index) { return index == 0 ? nullptr : slots_.get(index); }

void RtExecutor::count(bool finished) {
  // A worker's own counters have one writer: a plain increment, no locked instruction and no
  // cache line shared with the other workers. Other threads (spawns from outside, the timer
  // thread) share the last pair.
  if (t_exec == this) {
    auto& c = finished ? counts_[t_worker].finished : counts_[t_worker].scheduled;
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  } else {
    assert(!finished && "a process finishes its turn on a worker");
    counts_[nthreads_].scheduled.fetch_add(1, std::memory_order_acq_rel);
  }
}

uint64_t RtExecutor::total(bool finished) const {
  uint64_t n = 0;
  for (unsigned i = 0; i <= nthreads_; ++i)
    n += (finished ? counts_[i].finished : counts_[i].scheduled).load(std::memory_order_acquire);
  return n;
}

template <class V>
void RtExecutor::enqueue(Pid pid, V&& value) {
  uint64_t index = pid_index(pid);
  Slot* s = slot(index);
  if (!s) return;  // no pid (0): like a signal to a dead pid, dropped
  if constexpr (std::is_same_v<std::decay_t<V>, Signal>) {
    if (t_exec == this && nthreads_ > 1) {  // what sharing costs (see adapt_threshold)
      Counts& c = counts_[t_worker];
      uint16_t home = s->home.load(std::memory_order_relaxed);
      if (home != kNoHome && home != t_worker) ++c.cross;
      c.sent.store(c.sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  }
  // The slot may belong to another process by now, or to none: the owner sorts that out.
  if (s->inbox.push(std::forward<V>(value))) {  // it was idle: we schedule it
    count(false);
    push_runnable(index, s->home.load(std::memory_order_relaxed));
  }
}

void RtExecutor::make_runnable(Pid pid) {
  if (t_exec == this && t_current == pid_index(pid)) {  // from the slot's own thread: just a flag
    static_cast<Slot*>(t_current_slot)->runnable = true;
    return;
  }
  // A new process, spawned on another thread: it starts on its spawner's worker.
  start_fresh(slot(pid_index(pid)), t_exec == this ? static_cast<uint16_t>(t_worker) : kNoHome);
  enqueue(pid, std::monostate{});
}

// A new process's slot may have held another process, run on any worker: what the slot
// remembers of that one (home, waker, streak) is not the new one's.
void RtExecutor::start_fresh(Slot* s, uint16_t home) {
  s->home.store(home, std::memory_order_relaxed);
  s->waker.store(0, std::memory_order_relaxed);
  s->streak.store(0, std::memory_order_relaxed);
}

void RtExecutor::make_runnable_apart(Pid pid) {
  // Only while this worker has other work queued: a tree started on an idle system (an
  // application's, a pool a client is about to flood) starts beside its starter.
  if (nthreads_ == 1 || t_exec != this || backlog(t_worker) < 2) return make_runnable(pid);
  auto w = static_cast<uint16_t>(next_apart_.fetch_add(1, std::memory_order_relaxed) % nthreads_);
  if (w == t_worker) return make_runnable(pid);
  uint64_t index = pid_index(pid);
  Slot* s = slot(index);
  start_fresh(s, w);  // its home from the start: what it wakes follows it there
  if (s->inbox.push(std::monostate{})) {
    count(false);
    push_remote(w, index);
  }
}

void RtExecutor::send(Signal&& signal) {
  Pid to = signal.to;
  enqueue(to, std::move(signal));  // one inbox per receiver, in send order: S5 holds
}

uint64_t RtExecutor::arm_timer(int64_t deadline_ms, TimerTarget target) { return wheel_->arm(deadline_ms, target); }

bool RtExecutor::cancel_timer(uint64_t timer_id) { return wheel_->cancel(timer_id); }

void RtExecutor::push_runnable(uint64_t sid, uint16_t home) {
  bool wake;
  // Woken by the same process as last time: it follows that process here (see the header).
  bool steady = false;
  if (t_exec == this && t_current != 0 && t_current != sid) {
    // Only the thread that schedules a slot writes its waker: no read-modify-write needed.
    Slot* s = slot(sid);
    std::atomic<uint32_t>& waker = s->waker;
    steady = waker.load(std::memory_order_relaxed) == t_current;
    if (!steady) waker.store(static_cast<uint32_t>(t_current), std::memory_order_relaxed);
    // Or woken kSteadyWakes times running from one other worker, by whichever processes: a
    // tree's driver woken by each new child in turn follows the tree.
    if (home != kNoHome && home != t_worker) {
      uint32_t st = s->streak.load(std::memory_order_relaxed);
      uint32_t n = (st & 0xffff) == t_worker + 1u ? std::min<uint32_t>((st >> 16) + 1, kSteadyWakes) : 1;
      steady = steady || n >= kSteadyWakes;
      s->streak.store((t_worker + 1u) | (n << 16), std::memory_order_relaxed);
    } else if (s->streak.load(std::memory_order_relaxed) != 0) {
      s->streak.store(0, std::memory_order_relaxed);
    }
  }
  if (t_exec == this && !steady && home != kNoHome && home != t_worker) {
    // Woken by a process on another worker: it goes home, so a busy server stays on one core
    // instead of following each client that calls it. Home even when that worker idles (a
    // wake-up to pay): pulling it here instead gathered everything onto the busier worker
    // whenever the other paused between turns (W8's trees ended 500,000 turns to 1,000).
    // What keeps talking to this worker's processes follows them here (steady, above).
    push_remote(home, sid);
    return;
  }
  if (t_exec == this) {
    queue_local(t_worker, sid);
    // Wake a sleeping worker only when there is more queued than this worker takes next, and
    // enough of it to share (see backlog_due): waking a thread for a ping-pong pair, or for
    // work this worker is through in a moment, just bounces processes between cores.
    // Looked at when the backlog reaches 2 and every 32 more, or while a worker sleeps, not on
    // every push: the wake-up below costs a full fence, 9 % of W7's time when paid per message
    // with both workers busy. A sleeper the relaxed look misses (it fell asleep just now) looks
    // again by itself within 1 ms while another worker is busy, 16 ms otherwise (sleep()).
    uint64_t queued = backlog(t_worker);
    wake = queued > 1 &&
           (share_after_ns_ == 0 || queued % 32 == 2 || sleepers_.load(std::memory_order_relaxed) > 0) &&
           worth_sharing(t_worker, queued);
  } else if (home != kNoHome && !working_[home].load(std::memory_order_relaxed)) {
    // From outside the workers (a fired timer, a send from another thread) to a process that
    // has run, whose worker idles: to that worker (woken if asleep), not to whichever worker
    // looks at the injection queue first, which moved a process away from the tree it works
    // with on every timer it armed. Never to a busy worker's home stack: its owner takes from it
    // only between turns (a thief only once a turn has run past the threshold), so a process put
    // there would wait out most of whatever long turn that worker is in.
    push_remote(home, sid);
    return;
  } else {
    global_.push(sid);
    wake = true;
  }
  if (!wake) return;  // this worker runs it next: nobody needs waking
  if (nthreads_ == 1 && t_exec == this) return;  // the only worker is this one: no fence to pay
  // Pairs with the fence in worker(): either the sleeper sees this slot or we see the sleeper.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_relaxed) > 0) {
    std::lock_guard lock(idle_mu_);
    work_cv_.notify_one();
  }
}

void RtExecutor::push_remote(unsigned worker, uint64_t sid) {
  Slot* s = slot(sid);
  std::atomic<uint64_t>& head = home_[worker]->head;
  uint64_t h = head.load(std::memory_order_relaxed);
  do {
    s->next_home = static_cast<uint32_t>(h);  // slot indices fit 27 bits
  } while (!head.compare_exchange_weak(h, sid, std::memory_order_release, std::memory_order_relaxed));
  // It may have started to fall asleep after we looked: pairs with the fence in worker().
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleeping_[worker].load()) {
    std::lock_guard lock(idle_mu_);
    work_cv_.notify_all();  // the one shared condition: make sure that worker is among them
  }
}

void RtExecutor::take_home(unsigned self) { move_home(self, self); }

// Worker `from`'s home stack onto worker `into`'s queue, oldest first; whether it held any. Its
// owner takes it so (`into` = `from`), and so does a thief while the owner is stuck in a long
// turn: each takes the whole stack with one exchange, so two never share a chain, and a slot is
// in at most one chain (it is queued at most once at a time).
bool RtExecutor::move_home(unsigned from, unsigned into) {
  uint64_t sid = home_[from]->head.exchange(0, std::memory_order_acquire);
  if (sid == 0) return false;
  uint64_t reversed = 0;  // the stack is newest first: queue them oldest first
  while (sid) {
    Slot* s = slot(sid);
    uint64_t next = s->next_home;
    s->next_home = static_cast<uint32_t>(reversed);
    reversed = sid;
    sid = next;
  }
  for (sid = reversed; sid;) {
    uint64_t next = slot(sid)->next_home;
    queue_local(into, sid);
    sid = next;
  }
  return true;
}

void RtExecutor::queue_local(unsigned self, uint64_t sid) {
  if (!local_[self]->push(sid)) overflow_[self]->push(sid);
}

bool RtExecutor::pop_local(unsigned self, uint64_t& sid) {
  Overflow& over = *overflow_[self];
  if (over.size.load(std::memory_order_relaxed) != 0 &&
      (++over.takes % kOverflowEvery == 0 || local_[self]->size() == 0) && over.pop(sid))
    return true;
  return local_[self]->pop(sid);
}

uint64_t RtExecutor::backlog(unsigned worker) const {
  return local_[worker]->size() + overflow_[worker]->size.load(std::memory_order_relaxed);
}

bool RtExecutor::has_work_for(unsigned self) const {
  if (global_.size.load(std::memory_order_acquire) > 0) return true;
  if (home_[self]->head.load(std::memory_order_acquire) != 0) return true;
  if (t_exec == this && clock_ns() < t_taken.refuse_until_ns) return false;  // (called by the worker `self`)
  for (unsigned v = 0; v < nthreads_; ++v) {
    if (v == self) continue;
    uint64_t queued = backlog(v);
    if (queued > 0 && worth_sharing(v, queued)) return true;
  }
  return false;
}

bool RtExecutor::pop_runnable(unsigned self, uint64_t& sid) {
  if (home_[self]->head.load(std::memory_order_relaxed) != 0) take_home(self);  // behind what is queued
  if (pop_local(self, sid)) return true;
  if (global_.size.load(std::memory_order_acquire) > 0 && global_.pop(sid)) return true;
  return steal(self, sid);
}

// Called by a thief that has run out of work since its last steal: whether what it took paid
// (the time it was busy since is at least what its crossings cost). Unpaid steals make it
// refuse to take anything for a while (doubling, within kMinRefuseNs..kMaxRefuseNs) and, until
// a steal pays again, take one process at a time.
void RtExecutor::judge_last_steal(unsigned self, int64_t now) {
  Taken& t = t_taken;
  if (!t.pending) return;
  t.pending = false;
  const uint64_t cross = counts_[self].cross - t.cross;
  if (cross == 0 || static_cast<uint64_t>(now - t.at_ns) >= cross * kCrossingNs) {
    t.allow = std::min<uint64_t>(2 * t.allow, uint64_t{1} << 20);
    t.refuse_ns = 0;
    return;
  }
  t.allow = 1;
  const int64_t cost = static_cast<int64_t>(std::min<uint64_t>(cross * kCrossingNs, kMaxRefuseNs));
  t.refuse_ns = std::clamp(std::max(2 * t.refuse_ns, cost), kMinRefuseNs, kMaxRefuseNs);
  t.refuse_until_ns = now + t.refuse_ns;
}

// Whether sharing follows what it costs: not when it is forced (share_after 0), nor with no
// other worker to share with.
bool RtExecutor::adaptive() const { return share_after_ns_ != 0 && nthreads_ > 1; }

bool RtExecutor::steal(unsigned self, uint64_t& sid) {
  if (!adaptive()) return take(self, sid);
  const int64_t now = clock_ns();
  judge_last_steal(self, now);
  if (now < t_taken.refuse_until_ns || !take(self, sid)) return false;
  t_taken.pending = true;
  t_taken.cross = counts_[self].cross;
  t_taken.at_ns = clock_ns();
  return true;
}

// At the end of each busy window of a thief whose steals have paid. A thief that stays busy
// never runs dry to judge its steals or to steal again, so independent work it took a little
// of at first (a few pairs of a root's thousand: each keeps it busy to the end) would stay
// split where the thief first had enough to do. So its last steal is judged once it has been
// busy kMinRefuseNs since (time for a split pair to come together again), and while steals
// pay and a victim's queue is longer than its own by an eighth, it takes half the difference
// (at most what a steal may take now: twice the last).
void RtExecutor::take_more(unsigned self, int64_t now) {
  Taken& t = t_taken;
  if (t.pending) {
    // Paid once the time busy since covers what was sent across (a split pair crosses until
    // it is together again, then stops); not paid yet is judged when the thief runs dry.
    const int64_t busy = now - t.at_ns;
    if (busy < kMinRefuseNs || static_cast<uint64_t>(busy) < (counts_[self].cross - t.cross) * kCrossingNs) return;
    judge_last_steal(self, now);
  }
  if (t.allow < 2 || now < t.refuse_until_ns) return;
  const uint64_t own = backlog(self);
  uint64_t most = 0;
  for (unsigned v = 0; v < nthreads_; ++v) {
    const uint64_t theirs = v == self ? 0 : backlog(v);
    if (theirs > own + own / 8 + kManyQueued / 8) most = std::max(most, (theirs - own) / 2);
  }
  uint64_t sid;
  if (most == 0 || !take(self, sid, most)) return;
  queue_local(self, sid);
  t.pending = true;
  t.cross = counts_[self].cross;
  t.at_ns = clock_ns();
}

bool RtExecutor::take(unsigned self, uint64_t& sid, uint64_t most) {
  // Take half of a victim's queue, so the thief then works from its own queue instead of
  // coming back for every process. The victim keeps its next process: stealing a ping-pong
  // partner only makes the pair bounce between cores.
  for (unsigned k = 1; k < local_.size(); ++k) {
    unsigned v = (self + k) % static_cast<unsigned>(local_.size());
    RunQueue& victim = *local_[v];
    // Processes sent home to the victim wait for it as its queue does (counted as one).
    const bool homed = home_[v]->head.load(std::memory_order_acquire) != 0;
    const Due due = backlog_due(v, backlog(v) + (homed ? 1 : 0));
    if (due == Due::no) continue;
    // Shared for being long or stuck, even a victim's only queued process goes; its overflow
    // is shared once its run queue has nothing to give, then what was sent home to it. Behind
    // a stuck turn only the next process goes: that turn says nothing of what the others cost
    // to run apart, and a turn that floods a process here (a client's burst of jobs to a
    // dispatcher) would take its peers along, each to flood across the cores in turn.
    uint64_t ring = victim.size();
    uint64_t n = due == Due::next ? 1 : share_after_ns_ == 0 ? ring / 2 : std::max<uint64_t>(1, ring / 2);
    n = std::min({n, steal_cap(), most});
    if (n == 0 || !victim.pop(sid)) {
      if (steal_overflow(self, v, sid, due == Due::half ? std::min(steal_cap(), most) - 1 : 0)) return true;
      if (homed && move_home(v, self) && pop_local(self, sid)) return true;
      continue;
    }
    for (uint64_t i = 1; i < n; ++i) {
      uint64_t more;
      if (!victim.pop(more)) break;
      queue_local(self, more);
    }
    return true;
  }
  return false;
}

// Half a queue goes at once only while sharing has been found cheap: the threshold is below where
// it started (windows in which both workers ran and little crossed) or sharing is forced (0).
// Until then one process at a time: what a thief takes first decides what crosses, and half of
// ten clients that each burst 20,000 jobs at a dispatcher, taken at once, is 100,000 messages
// across the cores before the first window could say so.
bool RtExecutor::sharing_proven() const {
  return share_after_ns_ == 0 || threshold_ns_.load(std::memory_order_relaxed) < share_after_ns_;
}

// How many processes one steal may take (see Taken::allow); no bound when sharing is forced.
uint64_t RtExecutor::steal_cap() const {
  return adaptive() ? t_taken.allow : ~uint64_t{0};
}

bool RtExecutor::steal_overflow(unsigned self, unsigned victim, uint64_t& sid, uint64_t more) {
  Overflow& over = *overflow_[victim];
  if (over.size.load(std::memory_order_relaxed) == 0) return false;
  // Half (at most `more` besides the first), as from a run queue; queued here only once the
  // victim's lock is released (our own overflow has a lock too, and the victim may be stealing
  // from us).
  std::vector<uint64_t> taken;
  if (!over.pop(sid, more ? &taken : nullptr, more)) return false;
  for (uint64_t next : taken) queue_local(self, next);
  return true;
}

// A backlog of `queued` processes on `worker` would take it the sharing threshold or more; or it
// is kManyQueued processes or more and sharing has not been found to cost (the threshold is not
// above where it started). Many processes queued at once are most often independent work, and
// a short turn each must not hide that: 1,000 pairs of 80 ns turns are 80 us of backlog, under
// the threshold, yet a second core doubles them. If they turn out to talk across, the threshold
// rises and this stops.
bool RtExecutor::worth_sharing(unsigned worker, uint64_t queued) const {
  if (share_after_ns_ == 0) return true;
  const uint64_t threshold = threshold_ns_.load(std::memory_order_relaxed);
  return queued * counts_[worker].ns_per_turn.load(std::memory_order_relaxed) >= threshold ||
         (queued >= kManyQueued && threshold <= share_after_ns_);
}

// Called by a worker at the end of each window of its turns: `cross` of the messages those
// `turns` sent went to a process at home on another worker. The threshold grows with that share
// at once and shrinks by a little, and only on evidence: a window without cross traffic while
// another worker was busy too (work that runs side by side without talking); a worker busy
// alone says nothing about what sharing would cost. So a server's clients, taken once and found
// talking back, are not taken again as soon as their traffic has died down.
void RtExecutor::adapt_threshold(unsigned self, uint64_t turns, uint64_t cross) {
  if (!adaptive() || turns == 0) return;
  const uint64_t was = threshold_ns_.load(std::memory_order_relaxed);
  uint64_t t = was;
  // Bounds that never cross share_after: a threshold configured outside them stays where set.
  const uint64_t lo = std::min(kMinShareAfterNs, share_after_ns_), hi = std::max(kMaxShareAfterNs, share_after_ns_);
  if (cross * 8 > turns && cross >= 4) {  // (a single reply across says little)
    t = std::min(hi, t * std::min<uint64_t>(16, 2 + cross / turns));
  } else if (cross * 32 < turns) {
    if (!another_working(self)) return;
    t = std::max(lo, t - t / 16);
  }
  if (t != was) threshold_ns_.store(t, std::memory_order_relaxed);  // a store only on change: every worker reads it
}

// Whether a worker other than `self` found work the last time it looked.
bool RtExecutor::another_working(unsigned self) const {
  for (unsigned v = 0; v < nthreads_; ++v)
    if (v != self && working_[v].load(std::memory_order_relaxed)) return true;
  return false;
}

RtExecutor::Due RtExecutor::backlog_due(unsigned victim, uint64_t queued) {
  if (queued == 0) return Due::no;
  if (worth_sharing(victim, queued)) return sharing_proven() ? Due::half : Due::next;
  const Counts& c = counts_[victim];
  // A turn that has run share_after with others waiting behind it (its time per turn is only
  // measured once it ends): seen by its turn count standing still while we look. Unless it
  // keeps sending: a burst of messages (a client's jobs to a dispatcher, a producer's flood) is
  // work for processes that are waiting for it, and the next process taken from behind it is
  // most often one more of its kind, whose burst would then cross the cores message by message
  // (on a 2-core VM, a flood of 20,000 across cost the whole pool run a fifth of its speed).
  Watch& w = t_watch[victim];
  uint64_t turns = c.turns.load(std::memory_order_relaxed);
  uint64_t sent = c.sent.load(std::memory_order_relaxed);
  int64_t now = clock_ns();
  if (turns != w.turns || sent - w.sent >= kTalkingTurn) {
    w = Watch{turns, sent, now};
    return Due::no;
  }
  const uint64_t stuck = std::max(share_after_ns_, threshold_ns_.load(std::memory_order_relaxed));
  return static_cast<uint64_t>(now - w.since_ns) >= stuck ? Due::next : Due::no;
}

bool RtExecutor::sleep(unsigned self) {
  // A thief that refuses to take (see judge_last_steal) is not among the sleepers a growing
  // backlog wakes: woken on every push it would find nothing it takes, and the futex wake-ups
  // cost the busy worker more than the turns it keeps. Work sent home to it still wakes it.
  const int64_t refuse_for = t_taken.refuse_until_ns - clock_ns();
  const bool counted = refuse_for <= 0;
  if (counted) sleepers_.fetch_add(1);
  sleeping_[self].store(true);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  bool woken;
  {
    std::unique_lock lock(idle_mu_);
    auto ready = [&] { return stop_.load() || has_work_for(self); };
    if (!adaptive()) {  // nobody else's turn to look at
      work_cv_.wait(lock, ready);
      woken = true;
    } else {
      // A turn that runs long wakes nobody (no push says so): look now and then, often while
      // another worker is busy, rarely while all idle.
      std::chrono::nanoseconds look(std::chrono::milliseconds(another_working(self) ? 1 : 16));
      if (!counted) look = std::min(look, std::chrono::nanoseconds(refuse_for));
      woken = work_cv_.wait_for(lock, look, ready);
    }
  }
  sleeping_[self].store(false);
  if (counted) sleepers_.fetch_sub(1);
  return woken;
}

void RtExecutor::worker(unsigned index) {
  t_exec = this;
  t_worker = index;
  t_watch.assign(nthreads_, Watch{});
  t_taken = Taken{};
  Counts& mine = counts_[index];
  uint64_t window_turns = 0;  // turns since window_start, within this busy stretch
  int64_t window_start = 0;
  uint64_t window_cross = 0;  // mine.cross when the window began
  // The time per turn that sharing projects a backlog with: busy time only (a window ends
  // when the worker runs out of work), smoothed.
  auto measure = [&] {
    if (window_turns == 0) return;
    int64_t now = clock_ns();
    uint64_t per = static_cast<uint64_t>(now - window_start) / window_turns;
    uint64_t est = mine.ns_per_turn.load(std::memory_order_relaxed);
    mine.ns_per_turn.store(est ? (3 * est + per) / 4 : per, std::memory_order_relaxed);
    adapt_threshold(index, window_turns, mine.cross - window_cross);
    window_cross = mine.cross;
    window_start = now;
    window_turns = 0;
  };
  int idle_rounds = 0;
  bool working = false;  // what working_[index] says
  while (!stop_.load(std::memory_order_relaxed)) {
    uint64_t sid = 0;
    if (pop_runnable(index, sid)) {
      if (!working) {
        working_[index].store(working = true, std::memory_order_relaxed);
        window_turns = 0;
        window_cross = mine.cross;
        if (share_after_ns_) window_start = clock_ns();
      }
      process(sid);
      mine.turns.store(mine.turns.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      // A window ends after kTurnWindow turns, or sooner once its turns have sent as many
      // messages across (a client's one turn that floods a server at home elsewhere).
      if (share_after_ns_ && (++window_turns == kTurnWindow || mine.cross - window_cross >= kTurnWindow)) {
        measure();
        if (adaptive()) take_more(index, window_start);
      }
      idle_rounds = 0;
      continue;
    }
    if (working) {
      working_[index].store(working = false, std::memory_order_relaxed);
      if (share_after_ns_ && (window_turns >= kTurnWindow / 8 || mine.cross != window_cross)) measure();
    }
    // Spin a little before sleeping: work usually comes back within microseconds, and a
    // futex sleep + wake costs more than that. Polling reads only atomics: no lock is taken.
    if (++idle_rounds < 200) {
      std::this_thread::yield();
      continue;
    }
    // Woken for nothing (only to look for a stuck turn): look once more, then sleep again.
    idle_rounds = sleep(index) ? 0 : 199;
  }
  t_exec = nullptr;
}

// One turn of slot `sid`: the signals and timers in its inbox, each for the pid it names (the
// Node finds a pid whose process has exited dead, whoever holds the slot now),
// then a run of the slot's occupant if one was asked for.
void RtExecutor::process(uint64_t sid) {
  Slot* s = slot(sid);
  s->home.store(static_cast<uint16_t>(t_worker), std::memory_order_relaxed);
  s->inbox.collect();
  t_current = sid;
  t_current_slot = s;
  s->inbox.drain(kDeliveryBudget, [&](Item& item) {
    if (auto* sig = std::get_if<Signal>(&item)) node_->deliver(std::move(*sig));
    else if (auto* timer = std::get_if<TimerTarget>(&item)) node_->fire_timer(*timer);
    else s->runnable = true;
  });
  if (s->runnable) {
    s->runnable = false;
    // The process that asked, or (it exited meanwhile) the next one in its slot, whose own
    // "run" is on its way: running it now is only early.
    node_->run_slot(sid);  // may set runnable again (yield, a message to itself)
  }
  t_current = 0;
  if (s->inbox.holding() || s->runnable || !s->inbox.try_idle())
    push_runnable(sid, static_cast<uint16_t>(t_worker));  // to the back of the queue: fairness
  else
    count(true);
}

void RtExecutor::wait_idle() { (void)wait_idle_for(std::chrono::milliseconds::max()); }

bool RtExecutor::wait_idle_for(std::chrono::milliseconds timeout) {
  // The counters only grow, so equal sums before and after mean none moved in between:
  // then every process ever scheduled had finished its last turn, and no timer was pending
  // (a timer being handed over schedules its process before it stops counting as pending).
  const auto start = std::chrono::steady_clock::now();
  const bool bounded = timeout != std::chrono::milliseconds::max();  // (max in ns would overflow)
  for (;;) {
    uint64_t scheduled = total(false);
    if (total(true) == scheduled && wheel_->pending() == 0 && total(false) == scheduled) return true;
    if (bounded && std::chrono::steady_clock::now() - start >= timeout) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

}  // namespace otp::rt
