#pragma once
// Node: the set of processes of one world, their names, and the kernel's signal semantics.
// The executor drives it: run(pid), deliver(signal), fire_timer(target).
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <otpsim/core/memory/chunked_table.hpp>
#include <otpsim/core/kernel/access_observer.hpp>
#include <otpsim/core/kernel/executor.hpp>
#include <otpsim/core/kernel/exit_table.hpp>
#include <otpsim/core/kernel/process.hpp>

namespace otp {

struct SpawnOptions {
  Pid link_to{};    // spawn_link: linked to this pid from the start
  Pid monitor_by{}; // spawn_monitor: this pid monitors the new process
  Ref monitor_ref{};
  Pid parent{};
  bool apart = false;  // it starts a group of its own (Executor::make_runnable_apart)
};

class Node {
 public:
  explicit Node(Executor& executor);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();

  Executor& executor() { return executor_; }
  int64_t now_ms() const { return executor_.now_ms(); }

  Pid spawn(Body body, SpawnOptions opts = {});

  // --- called by the executor
  void run(Pid pid);
  void run_slot(uint64_t index);  // runs whichever process holds table slot `index` (rt)
  void deliver(Signal&& signal);
  void fire_timer(const TimerTarget& target);

  // --- queries
  Process* find(Pid pid);  // the live process `pid`, or nullptr (a dead pid: its slot may hold another)
  Process* find_untouched(Pid pid);  // the same, unseen by the access observer
  bool alive(Pid pid) const;
  // Whether `pid` has ended and everything of it is gone, its coroutine frame included (alive
  // turns false first, before its exit signals go out).
  bool released(Pid pid) const;
  // What process_info reports of a live process (core/kernel/process_info.hpp); read by the
  // process's owner only (the signal's delivery, or the process itself).
  struct ProcessInfo info_of(const Process& p) const;
  Pid occupant(uint64_t index) const;  // the live process in slot pid_index, or Pid{}
  // The exit reason of a process that has exited: the last exit_capacity() exits are kept
  // (oldest forgotten first) while record_exits is on, the default.
  std::optional<Term> exit_reason(Pid pid) const;
  void set_record_exits(bool on) { record_exits_ = on; }
  static constexpr size_t kDefaultExitCapacity = 65'536;
  void set_exit_capacity(size_t n);  // 0: keep none
  size_t exit_capacity() const;
  uint64_t exits_forgotten() const;  // exit records dropped for room so far
  size_t live_count() const;
  std::vector<Pid> live_pids() const;  // ascending
  uint64_t spawned_count() const;  // processes spawned so far (live + exited)
  // Slots of the process table ever used (its high-water mark): the live processes at the
  // busiest moment, but never fewer than the first chunk's (Node::spawn). The rt executor
  // keeps one slot per table slot as well.
  uint64_t table_slots() const { return std::min(fresh_.load(std::memory_order_relaxed) - 1, kPidIndexMask); }

  // --- names (S7)
  bool register_name(const std::string& name, Pid pid);
  void unregister_name(const std::string& name);
  Pid whereis(std::string_view name) const;

  // --- timers owned by the node (send_after / cancel_timer)
  // A non-empty dest_name: the timer goes to whoever holds that name when it fires (dest unused).
  // timeout_msg: the message is delivered as {timeout, Ref, Msg} (erlang:start_timer).
  Ref start_message_timer(Pid dest, Message msg, int64_t ms, Pid armed_by = {}, std::string dest_name = {}, bool timeout_msg = false);
  std::optional<int64_t> cancel_message_timer(Ref ref);
  std::optional<int64_t> read_message_timer(Ref ref);
  // send_after timers kept: not yet fired or cancelled. A process's timers to itself go with its
  // exit; timers to another process that exits are dropped once the count has doubled since the
  // last look (so it stays within twice the timers to live processes, plus 64).
  size_t message_timer_count() const {
    auto lk = lock();
    return message_timers_.size();
  }

  // Application env (S70): like OTP's ac_tab, a node-wide table any process reads at once.
  std::optional<Term> env_get(const std::string& app, const std::string& key) const;
  void env_put(const std::string& app, const std::string& key, Term value);
  // Applications started and not yet stopped (application_controller's `started`: one whose tree
  // died stays there until stopped). Sets the mark; answers whether it was set before.
  bool exchange_app_started(const std::string& app, bool started);
  // Marks the application loaded (OTP loads it at its first start and keeps it loaded); answers
  // whether this load is its first.
  bool load_app(const std::string& app);

  // Unique in the node: each shard numbers its own (shard + 1, then every shards()-th number),
  // so a node on one thread (the simulator) numbers them 1, 2, 3, ...
  Ref make_ref() { return Ref{shards_[executor_.shard()].next_ref.fetch_add(nshards_, std::memory_order_relaxed)}; }
  // Called (on the exiting process's thread) after every process exit; rt/ uses it to wake
  // threads waiting for a process to end.
  void set_exit_observer(std::function<void(Pid)> fn) { exit_observer_ = std::move(fn); }
  TraceSink* trace() { return executor_.trace(); }
  // The simulator's partial-order reduction watches what steps touch; nullptr: nobody does.
  void set_access_observer(AccessObserver* o) { observer_ = o; }
  void touch(uint64_t object, bool write) const {
    if (observer_) [[unlikely]]
      observer_->touch(object, write);
  }
  // One element of one of p's sets (links: key = the other pid; monitors, aliases: the ref).
  void touch_element(AccessObserver::Part set, Pid p, uint64_t key) const {
    if (observer_) [[unlikely]] {
      observer_->touch(AccessObserver::of(set, p.id), false);
      observer_->touch(AccessObserver::element(set, p.id, key), true);
    }
  }
  void observe_push(Pid to, bool handed) const {
    if (observer_) [[unlikely]]
      observer_->mailbox_push(to, handed);
  }
  void observe_take(Pid of, size_t index) const {
    if (observer_) [[unlikely]]
      observer_->mailbox_take(of, index);
  }
  void observe_scan(Pid of) const {
    if (observer_) [[unlikely]]
      observer_->mailbox_scan(of);
  }

  // Terminate a process that is not currently running (signal-caused death).
  void kill_process(Process& p, Term reason);

 private:
  void run_process(Process* p);
  void finish(Process& p, Term reason);  // exit bookkeeping: links, monitors, names
  void deliver_exit(Process& target, Signal& s);
  void bounce(Signal& s);               // a signal reached a dead pid


  // Node-wide tables are locked only when the executor runs processes on several threads;
  // in the simulator (one thread) the lock is skipped.
  std::unique_lock<std::mutex> lock() const {
    return concurrent_ ? std::unique_lock<std::mutex>(mu_) : std::unique_lock<std::mutex>();
  }

  // The process table: a slot per live process, found from its pid's index (pid_index) with
  // no lock from any thread (rt/). `id` is the occupant's pid id while it lives, dying_id while
  // it ends; once it has exited, kFree | serial << 27 | the next free slot's index, a value no
  // pid has (so a signal to the dead pid finds no process, whoever holds the slot next). Free
  // slots form a lock-free stack per shard (Shard::free_head: index, and a tag against ABA in the upper
  // bits); a slot is on one stack at a time.
  struct Slot {
    std::atomic<uint64_t> id{0};
    std::atomic<Process*> proc{nullptr};
  };
  static constexpr uint64_t kFree = uint64_t{1} << 63;
  // A slot's id while its process ends (after `alive` turns false, until the slot is freed): no
  // pid has it, and no free slot either (a free slot's low bits name another slot).
  static constexpr uint64_t dying_id(Pid pid) { return kFree | (pid_serial(pid) << kPidIndexBits) | pid_index(pid); }
  static constexpr uint64_t kFreshFirst = ChunkedTable<Slot>::kChunkSize;
  uint64_t pop_free(uint64_t& serial);
  uint64_t pop_free_from(std::atomic<uint64_t>& head, uint64_t& serial);
  void push_free(Slot& slot, uint64_t index, uint64_t serial);

  Executor& executor_;
  const bool concurrent_;
  mutable std::mutex mu_;  // names_, exits_, app_env_, message_timers_
  std::atomic<uint64_t> fresh_{1};  // the next never-used slot index
  // What every spawn and exit writes, a cache line per executor shard: one line for the whole
  // node passed between the cores on every spawn, exit and make_ref. An exit counts on the
  // exiting thread's shard, whichever shard counted the spawn; the sums are what they count.
  struct alignas(64) Shard {
    std::atomic<uint64_t> free_head{0};
    std::atomic<uint64_t> spawned{0};
    std::atomic<uint64_t> exited{0};
    std::atomic<uint64_t> next_ref{0};
  };
  const unsigned nshards_;
  std::unique_ptr<Shard[]> shards_;
  uint64_t sum(std::atomic<uint64_t> Shard::*field) const;
  ChunkedTable<Slot> procs_;
  bool record_exits_ = true;
  ExitTable exits_{kDefaultExitCapacity};  // the last exits' reasons
  std::map<std::string, Pid, std::less<>> names_;  // std::less<>: looked up by string_view
  std::map<std::pair<std::string, std::string>, Term> app_env_;
  std::set<std::string, std::less<>> apps_started_;
  std::set<std::string, std::less<>> apps_loaded_;
  std::function<void(Pid)> exit_observer_;
  AccessObserver* observer_ = nullptr;
  struct MessageTimer {
    uint64_t timer_id = 0;
    int64_t deadline_ms = 0;
    Pid dest{};
    Message msg{};
    std::string name{};  // a timer to a registered name (dest: none), looked up when it fires
  };
  std::unordered_map<uint64_t, MessageTimer> message_timers_;  // by ref id; lookup only
  std::optional<int64_t> timer_left(const MessageTimer& t);    // under lock()
  // Timers to other processes are not cancelled by their exit (only the owner touches a
  // process): once the map doubles, those whose destination is dead are dropped.
  size_t sweep_timers_at_ = kTimerSweepMin;
  static constexpr size_t kTimerSweepMin = 64;
  void erase_message_timer(std::unordered_map<uint64_t, MessageTimer>::iterator it);  // under the lock
  void sweep_message_timers();  // under the lock
};

}  // namespace otp
