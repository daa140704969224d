#pragma once
// RtExecutor: the core's Executor on N worker threads. Each process has a slot with
// a lock-free inbox (signals, fired timers, "run" requests from other threads); the sender
// that finds the inbox idle queues the process, so exactly one thread at a time delivers to
// and runs a process — the same single-owner rule the simulator has by being
// single-threaded. Run queues: one per worker plus an injection queue, with stealing.
// Timers: a hashed timer wheel on the steady clock.
// Sharing: an idle worker takes (steals) part of a busy worker's queue only once that queue
// holds more work than a threshold of that worker's time (queue length x its measured time
// per turn), or its current turn has run that long with others waiting (then only the next
// process, and not while that turn keeps sending). Half a queue goes at once only once sharing
// has been found cheap; one process at a time before. The threshold starts
// at `share_after` and follows what sharing costs: each worker counts the messages its turns
// send to processes at home on another worker; while those are a large part of its turns (the
// shared work keeps talking to the work it left: a server and its clients, a dispatcher and
// its pool), the threshold doubles, and while they are rare (independent work: pairs, separate
// trees) it shrinks back, down to kMinShareAfter. The thief also judges each steal by its own
// measure when it next runs out of work: if the time it was busy since is less than what the
// messages its turns sent across cost (a coordinator's spawned processes that each send one
// result back and exit), it refuses to take anything for a while and takes one process at a
// time until a steal pays; the number a steal may take then doubles with each that does. A
// thief that stays busy judges its last steal paid once its busy time covers its crossings, and
// while its steals pay it keeps taking half the difference to a longer queue at the end of each
// busy window (a root's independent pairs share the workers from the start). A
// process woken again and again by the same
// process, or kSteadyWakes times running by processes on one other worker, follows them to
// that worker (a pair, a client of one server, a worker of one dispatcher, a driver woken by
// each new child of a tree), instead of going home: a pair split by a steal comes together
// on the thief. Placement: a new process starts on its spawner's worker, except the root
// supervisor of a tree started while that worker has other work queued, which starts on the
// workers in turn (make_runnable_apart): its tree is then spawned there, and independent trees
// use the cores from their start.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include <otpsim/core/memory/chunked_table.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/rt/run_queue.hpp>
#include <otpsim/rt/inbox.hpp>
#include <otpsim/rt/timer_wheel.hpp>

namespace otp::rt {

class RtExecutor final : public Executor {
 public:
  // 0 threads: std::thread::hardware_concurrency(). share_after 0: idle workers steal any
  // backlog at once (the most interleavings: the stress tests use it).
  static constexpr std::chrono::nanoseconds kShareAfter{250'000};
  static constexpr uint64_t kMinShareAfterNs = 16'000, kMaxShareAfterNs = 4'000'000;
  // Worker threads at most (more throws std::invalid_argument): a slot's home is 16 bits.
  static constexpr unsigned kMaxThreads = 1'024;
  explicit RtExecutor(unsigned threads = 0, std::chrono::nanoseconds share_after = kShareAfter);
  ~RtExecutor() override;
  RtExecutor(const RtExecutor&) = delete;
  RtExecutor& operator=(const RtExecutor&) = delete;

  void start(Node& node);  // spawns the worker threads
  void stop();             // joins them; queued work is dropped

  int64_t now_ms() const override;
  void make_runnable(Pid pid) override;
  // A new group's head (a supervisor) starts on the workers in turn while its spawner's worker
  // has other work queued, so independent trees spread over the cores from their start instead
  // of waiting to be split by steals.
  void make_runnable_apart(Pid pid) override;
  void send(Signal&& signal) override;
  uint64_t arm_timer(int64_t deadline_ms, TimerTarget target) override;
  bool cancel_timer(uint64_t timer_id) override;
  bool fault(std::string_view) override { return false; }
  TraceSink* trace() override { return nullptr; }
  bool concurrent() const override { return true; }
  // A shard per worker, and one for every other thread.
  unsigned shards() const override { return nthreads_ + 1; }
  unsigned shard() const override;

  // Blocks until no process has work queued or running and no timer is pending. Polls while
  // timers are pending: it serves tests and benchmarks, not the hot path.
  void wait_idle();
  // The same, giving up after `timeout` (false): a world that never goes idle (a process that
  // loops, a wake-up lost) is then a finding, not a hang.
  bool wait_idle_for(std::chrono::milliseconds timeout);
  unsigned threads() const { return static_cast<unsigned>(workers_.size()); }

 private:
  // A signal in flight, a fired timer, or (monostate) "run": spawned from another thread.
  using Item = std::variant<std::monostate, Signal, TimerTarget>;
  // One per slot of the node's process table (pid_index), reused as the table reuses its
  // slots: the inbox, and the scheduling state it carries, belong to the slot, not to one
  // process. So a sender that found the slot for a pid that has since exited (or whose slot a
  // new process took) still pushes into a live inbox, and its signal is delivered in turn by
  // the slot's owner, to whom Node::deliver shows the pid dead: it bounces (link -> EXIT
  // noproc, monitor -> DOWN noproc, message dropped) and never reaches the new occupant. A
  // fired timer names its pid too; "run" runs whoever occupies the slot (Node::run ignores a
  // process with nothing to do). Slots are never freed before the executor.
  // A slot has a cache line of its own: its inbox is written on every message, and the slots of
  // two processes next to each other in the table, run on two workers, would pass one line back
  // and forth between their cores.
  struct alignas(64) Slot {
    Inbox<Item> inbox;  // also says whether the slot is scheduled (see Inbox)
    std::atomic<uint16_t> home{kNoHome};  // the worker it last ran on
    bool runnable = false;  // touched only by the thread that owns the scheduled slot
    uint32_t next_home = 0;  // link in a worker's HomeStack while queued there
    // The slot whose turn last scheduled this one (0: none, or not from a worker). Written by
    // the one thread that schedules it, read by the next: relaxed is enough.
    std::atomic<uint32_t> waker{0};
    // Wakes in a row from one other worker: (that worker + 1) | count << 16, same discipline.
    std::atomic<uint32_t> streak{0};
  };
  // The queues below hold slot indices (pid_index), 0 = none: a slot is queued at most once
  // at a time (its inbox says when), whichever process occupies it.
  // Processes sent home to a worker by other workers: a lock-free stack linked through the
  // slots (a slot is queued at most once at a time, so its link is free). The owner takes
  // all of it at once (and a thief does, while the owner is stuck in a long turn); nobody pops
  // one node, so there is no ABA.
  struct alignas(64) HomeStack {
    std::atomic<uint64_t> head{0};  // a slot index, 0 = empty
  };
  static constexpr uint16_t kNoHome = 0xFFFF;
  // A FIFO of slot indices under a lock, whose size is readable without it.
  struct alignas(64) LockedQueue {
    std::mutex mu;
    std::deque<uint64_t> q;
    std::atomic<uint64_t> size{0};
    void push(uint64_t sid) {
      std::lock_guard lock(mu);
      q.push_back(sid);
      size.store(q.size(), std::memory_order_release);
    }
    // The oldest slot and, given `half`, half of what is left after it (oldest first, at most
    // `most`) into it.
    bool pop(uint64_t& sid, std::vector<uint64_t>* half = nullptr, uint64_t most = ~uint64_t{0}) {
      std::lock_guard lock(mu);
      if (q.empty()) return false;
      sid = q.front();
      q.pop_front();
      if (half) {
        auto end = q.begin() + static_cast<std::ptrdiff_t>(std::min<uint64_t>(q.size() / 2, most));
        half->assign(q.begin(), end);
        q.erase(q.begin(), end);
      }
      size.store(q.size(), std::memory_order_release);
      return true;
    }
  };
  // What a worker queues while its run queue is full, oldest first. The run queue is served
  // first (what was queued once it had room again: a flood's backlog does not hold up the
  // processes it wakes), but every kOverflowEvery-th take comes from here, so the backlog is
  // never starved. A thief takes from here when the run queue has nothing to give.
  struct Overflow : LockedQueue {
    uint64_t takes = 0;  // the owner's
  };
  // From threads that are not workers (a spawn from main, fired timers).
  using InjectionQueue = LockedQueue;

  Slot* slot(uint64_t index);
  template <class V>
  void enqueue(Pid pid, V&& value);
  void push_runnable(uint64_t sid, uint16_t home);
  void queue_local(unsigned self, uint64_t sid);
  bool pop_local(unsigned self, uint64_t& sid);
  uint64_t backlog(unsigned worker) const;
  void push_remote(unsigned worker, uint64_t sid);
  void take_home(unsigned self);
  bool move_home(unsigned from, unsigned into);
  void start_fresh(Slot* s, uint16_t home);
  bool pop_runnable(unsigned self, uint64_t& sid);
  bool adaptive() const;
  bool steal(unsigned self, uint64_t& sid);  // take(), unless this thief refuses (see judge_last_steal)
  bool take(unsigned self, uint64_t& sid, uint64_t most = ~uint64_t{0});
  void take_more(unsigned self, int64_t now);
  void judge_last_steal(unsigned self, int64_t now);
  bool steal_overflow(unsigned self, unsigned victim, uint64_t& sid, uint64_t more);
  uint64_t steal_cap() const;
  bool worth_sharing(unsigned worker, uint64_t queued) const;
  bool sharing_proven() const;
  // Whether a thief takes from a victim's backlog: no; half of it (it is worth sharing and
  // sharing has been found cheap); or only its next process (worth sharing, not yet found
  // cheap; or it waits behind a turn that has run too long).
  enum class Due : uint8_t { no, half, next };
  Due backlog_due(unsigned victim, uint64_t queued);
  bool has_work_for(unsigned self) const;
  bool sleep(unsigned self);
  int64_t clock_ns() const;
  void worker(unsigned index);
  void process(uint64_t sid);
  void count(bool finished);  // a process was scheduled, or finished a turn with nothing left
  uint64_t total(bool finished) const;
  void adapt_threshold(unsigned self, uint64_t turns, uint64_t cross);
  bool another_working(unsigned self) const;

  Node* node_ = nullptr;
  const std::chrono::steady_clock::time_point epoch_;
  ChunkedTable<Slot> slots_;  // by pid_index, like the Node's process table
  std::vector<std::unique_ptr<RunQueue>> local_;
  std::vector<std::unique_ptr<Overflow>> overflow_;  // per worker
  std::vector<std::unique_ptr<HomeStack>> home_;  // per worker
  std::unique_ptr<std::atomic<bool>[]> sleeping_;        // per worker: waiting for work
  std::unique_ptr<std::atomic<bool>[]> working_;         // per worker: found work last time it looked
  InjectionQueue global_;
  struct alignas(64) Counts {  // per worker (+ one for other threads); only ever grow
    std::atomic<uint64_t> scheduled{0}, finished{0};
    std::atomic<uint64_t> turns{0};        // processes run (sharing: is a turn stuck?)
    std::atomic<uint64_t> ns_per_turn{0};  // the worker's recent busy time per turn
    std::atomic<uint64_t> sent{0};         // signals its turns sent (sharing: is a turn stuck?)
    uint64_t cross = 0;  // the worker's own: messages sent to a process at home elsewhere
  };
  std::unique_ptr<Counts[]> counts_;
  // Each on a line of its own: read on every turn or push, written rarely, and not to be
  // invalidated by writes to their neighbours.
  alignas(64) std::atomic<int> sleepers_{0};
  alignas(64) std::atomic<bool> stop_{false};
  std::mutex idle_mu_;
  std::condition_variable work_cv_;  // workers wait for work
  std::vector<std::thread> workers_;
  unsigned nthreads_;
  std::atomic<uint32_t> next_apart_{0};  // the worker the next group's head starts on
  const uint64_t share_after_ns_;
  alignas(64) std::atomic<uint64_t> threshold_ns_;  // the sharing threshold now (see the top), shared by all
  std::unique_ptr<TimerWheel> wheel_;
};

}  // namespace otp::rt
