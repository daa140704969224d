#include "rt/rt_executor.hpp"

#include <cassert>

namespace otp::rt {

namespace {
thread_local RtExecutor* t_exec = nullptr;
thread_local unsigned t_worker = 0;
thread_local uint64_t t_current = 0;  // the process this thread is delivering to or running
}  // namespace

RtExecutor::RtExecutor(unsigned threads)
    : epoch_(std::chrono::steady_clock::now()),
      nthreads_(threads ? threads : std::max(1u, std::thread::hardware_concurrency())) {
  for (unsigned i = 0; i < nthreads_; ++i) local_.push_back(std::make_unique<RunQueue>());
}

RtExecutor::~RtExecutor() { stop(); }

void RtExecutor::start(Node& node) {
  assert(!node_ && "RtExecutor::start called twice");
  node_ = &node;
  wheel_ = std::make_unique<TimerWheel>([this] { return now_ms(); },
                                        [this](const TimerTarget& t) {
                                          Item item;
                                          item.kind = Item::Kind::timer;
                                          item.timer = t;
                                          enqueue(t.pid.id, std::move(item));
                                          busy_add(-1);  // after the enqueue: never a false idle
                                        });
  for (unsigned i = 0; i < nthreads_; ++i) workers_.emplace_back([this, i] { worker(i); });
}

void RtExecutor::stop() {
  wheel_.reset();  // no more timers fire
  {
    std::lock_guard lock(idle_mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

int64_t RtExecutor::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

RtExecutor::Slot* RtExecutor::slot(uint64_t id) { return id == 0 ? nullptr : slots_.get(id); }

void RtExecutor::busy_add(int64_t n) {
  if (busy_.fetch_add(n) + n == 0) {
    std::lock_guard lock(idle_mu_);
    idle_cv_.notify_all();
  }
}

void RtExecutor::enqueue(uint64_t pid, Item&& item) {
  Slot* s = slot(pid);
  if (!s) return;  // not a pid this node can have: like a signal to a dead pid, dropped
  bool schedule = false;
  {
    std::lock_guard lock(s->mu);
    s->inbox.push_back(std::move(item));
    if (!s->scheduled) schedule = s->scheduled = true;
  }
  if (schedule) {
    busy_add(1);
    push_runnable(pid);
  }
}

void RtExecutor::make_runnable(Pid pid) {
  if (t_exec == this && t_current == pid.id) {  // from the process's own thread: just a flag
    slot(pid.id)->runnable = true;
    return;
  }
  enqueue(pid.id, Item{});  // a new process, spawned on another thread
}

void RtExecutor::send(Signal&& signal) {
  uint64_t to = signal.to.id;
  Item item;
  item.kind = Item::Kind::signal;
  item.signal = std::move(signal);
  enqueue(to, std::move(item));  // one inbox per receiver, appended in send order: S5 holds
}

uint64_t RtExecutor::arm_timer(int64_t deadline_ms, TimerTarget target) {
  busy_add(1);
  return wheel_->arm(deadline_ms, target);
}

bool RtExecutor::cancel_timer(uint64_t timer_id) {
  if (!wheel_->cancel(timer_id)) return false;
  busy_add(-1);
  return true;
}

void RtExecutor::push_runnable(uint64_t pid) {
  RunQueue& q = t_exec == this ? *local_[t_worker] : global_;
  {
    std::lock_guard lock(q.mu);
    q.q.push_back(pid);
  }
  // Wake a sleeping worker only when there is more queued than this worker takes next (or the
  // work came from outside): waking a thread for a ping-pong pair just bounces it between cores.
  int64_t queued = queued_.fetch_add(1) + 1;
  if (sleepers_.load() > 0 && (queued > 1 || t_exec != this)) {
    std::lock_guard lock(idle_mu_);
    work_cv_.notify_one();
  }
}

bool RtExecutor::pop_runnable(unsigned self, uint64_t& pid) {
  auto take_front = [&](RunQueue& q) {
    std::lock_guard lock(q.mu);
    if (q.q.empty()) return false;
    pid = q.q.front();
    q.q.pop_front();
    return true;
  };
  if (take_front(*local_[self]) || take_front(global_)) {
    queued_.fetch_sub(1);
    return true;
  }
  // Steal half of a victim's queue from its cold end, so the thief then works from its own
  // queue instead of coming back for every process. A thief leaves the victim its next
  // process: stealing a ping-pong partner only makes the pair bounce between cores.
  for (unsigned k = 1; k < local_.size(); ++k) {
    RunQueue& victim = *local_[(self + k) % local_.size()];
    std::vector<uint64_t> loot;
    {
      std::lock_guard lock(victim.mu);
      size_t n = victim.q.size() < 2 ? 0 : victim.q.size() / 2;
      for (size_t i = 0; i < n; ++i) {
        loot.push_back(victim.q.back());
        victim.q.pop_back();
      }
    }
    if (loot.empty()) continue;
    pid = loot.back();
    loot.pop_back();
    if (!loot.empty()) {
      std::lock_guard lock(local_[self]->mu);
      for (auto it = loot.rbegin(); it != loot.rend(); ++it) local_[self]->q.push_back(*it);
    }
    queued_.fetch_sub(1);
    return true;
  }
  return false;
}

void RtExecutor::worker(unsigned index) {
  t_exec = this;
  t_worker = index;
  int idle_rounds = 0;
  while (!stop_.load()) {
    uint64_t pid = 0;
    if (pop_runnable(index, pid)) {
      process(pid);
      idle_rounds = 0;
      continue;
    }
    // Spin a little before sleeping: work usually comes back within microseconds, and a
    // futex sleep + wake costs more than that.
    if (++idle_rounds < 200) {
      std::this_thread::yield();
      continue;
    }
    idle_rounds = 0;
    std::unique_lock lock(idle_mu_);
    sleepers_.fetch_add(1);
    work_cv_.wait(lock, [&] { return stop_.load() || queued_.load() > 0; });
    sleepers_.fetch_sub(1);
  }
  t_exec = nullptr;
}

void RtExecutor::process(uint64_t pid) {
  Slot* s = slot(pid);
  std::vector<Item> batch;
  {
    std::lock_guard lock(s->mu);
    batch.swap(s->inbox);
  }
  t_current = pid;
  for (auto& item : batch) {
    switch (item.kind) {
      case Item::Kind::signal: node_->deliver(std::move(item.signal)); break;
      case Item::Kind::timer: node_->fire_timer(item.timer); break;
      case Item::Kind::run: s->runnable = true; break;
    }
  }
  if (s->runnable) {
    s->runnable = false;
    node_->run(Pid{pid});  // may set runnable again (yield, a message to itself)
  }
  t_current = 0;
  bool again;
  {
    std::lock_guard lock(s->mu);
    again = !s->inbox.empty() || s->runnable;
    if (!again) s->scheduled = false;
  }
  if (again) push_runnable(pid);  // to the back of the queue: fairness
  else busy_add(-1);
}

void RtExecutor::wait_idle() {
  std::unique_lock lock(idle_mu_);
  idle_cv_.wait(lock, [&] { return busy_.load() == 0; });
}

}  // namespace otp::rt
