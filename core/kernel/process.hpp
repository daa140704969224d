#pragma once
// Process: one Erlang-style process. Its API is what a process body may do to the world;
// every effect on another process leaves as a signal through the executor.
#include <coroutine>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <otpsim/core/kernel/access_observer.hpp>
#include <otpsim/core/memory/block_cache.hpp>
#include <otpsim/core/memory/small_sorted.hpp>
#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/executor.hpp>
#include <otpsim/core/kernel/mailbox.hpp>
#include <otpsim/core/kernel/message.hpp>
#include <otpsim/core/kernel/task.hpp>

namespace otp {

class Node;
class Process;

namespace detail {
// Receives a process may still complete in this run without waiting, on this thread: the BEAM
// preempts a process after a slice of reductions, and so does a receive here once the slice is
// spent (it yields, runnable, and goes on in its next run). Without it, a process looping on
// `receive ... after 0` (or draining an endless flood) would hold its worker, or the
// simulator's step, forever.
inline constexpr uint32_t kReceiveSlice = 256;
inline thread_local uint32_t receive_slice = kReceiveSlice;
}  // namespace detail

using Body = std::function<Proc(Process&)>;
using Filter = std::function<bool(const Message&)>;

// Receive filters the behaviours share: the DOWN of one monitor, an EXIT from one pid.
inline Filter down_of(Ref ref) {
  return [ref](const Message& m) {
    const auto* d = m.get<DownMsg>();
    return d && d->ref == ref;
  };
}
inline Filter exit_from(Pid pid) {
  return [pid](const Message& m) {
    const auto* e = m.get<ExitMsg>();
    return e && e->from == pid;
  };
}

enum class ProcState : uint8_t { runnable, running, waiting, dead };

class Process {
 public:
  Process(Node& node, Pid pid, Body body);
  // From the block cache, line-sized (block_cache::line_sized): written on every message.
  static void* operator new(size_t n) { return block_cache::allocate(block_cache::line_sized(n)); }
  static void operator delete(void* p, size_t n) noexcept { block_cache::deallocate(p, block_cache::line_sized(n)); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  Pid self() const { return pid_; }
  Node& node() { return node_; }
  int64_t now_ms() const;
  Pid parent() const { return parent_; }

  // --- messages (S5)
  void send(Pid to, Message msg);  // badarg for Pid{} (no process: `undefined ! M`)
  void send(const std::string& name, Message msg);  // badarg if not registered (S7)

  struct ReceiveAwaiter {
    Process& proc;
    Filter filter;
    Timeout timeout;
    // The match stays in the mailbox until await_resume takes it: `at` is its index (found by
    // await_ready, or handed on arrival). No Message in the awaiter: it sits in the frame of
    // every waiting process, and without one that frame is a size class smaller (W6).
    bool got = false;
    bool any = false;  // receive_any: the oldest message, no filter to call
    bool preempted = false;  // ready, but the run's slice is spent: yield first (detail::receive_slice)
    uint32_t from = 0;  // receive_after: the messages before this index are not looked at (in the flags' padding)
    uint32_t at = 0;
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h);
    std::optional<Message> await_resume();
  };
  // Selective receive: the oldest message that matches, or nullopt after `timeout` ms.
  ReceiveAwaiter receive(Filter filter, Timeout timeout = infinity);
  ReceiveAwaiter receive_any(Timeout timeout = infinity);
  // OTP's receive marker (the "ref trick"): take receive_mark() just after making a fresh ref,
  // and receive_after(mark, ...) a message that can only carry that ref (a reply, its DOWN)
  // skips what was in the mailbox before, which cannot match: a call from a process with a
  // long mailbox costs O(1), not O(mailbox). Nothing may be taken from the mailbox in between.
  size_t receive_mark() const { return mailbox_.size(); }
  ReceiveAwaiter receive_after(size_t mark, Filter filter, Timeout timeout = infinity);
  ReceiveAwaiter sleep(int64_t ms);  // receive after ms -> ok, with nothing matching
  struct YieldAwaiter {
    Process& proc;
    bool await_ready() { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() {}
  };
  YieldAwaiter yield() { return YieldAwaiter{*this}; }

  // --- exits, links, monitors (S1-S4)
  void exit(Pid target, Term reason);         // exit/2 (badarg for Pid{}, as link and unlink)
  [[noreturn]] void exit(Term reason);        // exit/1
  bool trap_exit(bool on);                    // returns the old value
  bool trapping_exits() const { return trap_exit_; }
  void link(Pid other);
  void unlink(Pid other);
  Ref monitor(Pid target);  // Pid{} (no process) is monitor(process, undefined): DOWN noproc at once
  // erlang:monitor(process, Name) for a locally registered name: the monitor is on the process
  // that holds the name now (a later re-registration does not move it), and its DOWN's object
  // is {Name, nonode@nohost}; a name nobody holds gives that DOWN with noproc at once (S4, S7).
  // An empty name is a UsageError.
  Ref monitor(const std::string& name);
  void demonitor(Ref ref, bool flush = false);
  // A few in place, a tree beyond (SmallSorted): monitors and aliases come and go on every
  // call, and most processes hold one or two of each.
  using PidSet = SmallSorted<Pid, 4>;
  using RefSet = SmallSorted<Ref, 2>;
  using RefToPid = SmallSorted<KeyValue<Ref, Pid>, 2>;
  // Links, monitors both ways and reply aliases, made on first use: most idle processes have
  // none, and the four would be 176 of an idle process's bytes (W6).
  struct Relations {
    PidSet links;
    RefToPid monitoring;  // monitors this process holds: ref -> target
    RefToPid watchers;    // monitors on this process: ref -> watcher
    RefSet aliases;
    // send_after timers to itself not yet fired or cancelled: its exit cancels them, as the
    // BEAM cancels a timer whose destination pid exits.
    std::vector<uint64_t> self_timers;
  };
  const Relations& relations() const {
    static const Relations none;
    return rel_ ? *rel_ : none;
  }
  const PidSet& links() const { return relations().links; }

  Pid spawn(Body body);
  Pid spawn_link(Body body);
  std::pair<Pid, Ref> spawn_monitor(Body body);

  // --- timers (S6)
  Ref send_after(Pid dest, Message msg, int64_t ms);
  // erlang:send_after(T, Name, Msg): the name is looked up when the timer fires, and the message
  // goes to whoever holds it then; nobody holds it: the message is dropped, with no error (S6,
  // S7). Unlike a timer to a pid, no process's exit cancels it. An empty name is a UsageError.
  Ref send_after(const std::string& name, Message msg, int64_t ms);
  // erlang:start_timer(T, Dest, Msg): as send_after, but what arrives is a TimeoutMsg,
  // {timeout, TimerRef, Msg}, carrying the ref this returns.
  Ref start_timer(Pid dest, Message msg, int64_t ms);
  Ref start_timer(const std::string& name, Message msg, int64_t ms);
  // Either kind of timer. cancel_timer stops it; read_timer leaves it running. Both answer the ms
  // left (0 when due but not yet delivered), or nullopt (Erlang's false) for a timer that fired,
  // was cancelled, or whose destination pid has exited (that exit cancelled it), and for a ref
  // that is no timer.
  std::optional<int64_t> cancel_timer(Ref timer);
  std::optional<int64_t> read_timer(Ref timer) const;

  // --- names (S7)
  bool register_name(const std::string& name);  // false if taken or already named
  void unregister_name();
  Pid whereis(std::string_view name) const;
  const std::string& registered_name() const {
    static const std::string none;
    return name_ ? *name_ : none;
  }

  // --- the process dictionary (erlang:put/get/erase): state a library keeps per process
  // std::less<>: looked up by string_view, with no key string built per lookup
  std::map<std::string, Term, std::less<>>& dictionary() {
    if (!dict_) dict_ = std::make_unique<std::map<std::string, Term, std::less<>>>();
    return *dict_;
  }

  // --- state a library keeps per process, one value per type (the pool's per-caller monitors):
  // made on first use, gone with the process. Typed and found without building a key string,
  // unlike the dictionary, for state touched on every job.
  template <class T>
  T& local() {
    if (!locals_) locals_ = std::make_unique<Locals>();
    for (auto& [tag, value] : *locals_)
      if (tag == &local_tag<T>) return *static_cast<T*>(value.get());
    return *static_cast<T*>(locals_->emplace_back(&local_tag<T>, std::make_shared<T>()).second.get());
  }
  // The value local<T>() made, or nullptr: looks without making one.
  template <class T>
  const T* find_local() const {
    if (locals_)
      for (const auto& [tag, value] : *locals_)
        if (tag == &local_tag<T>) return static_cast<const T*>(value.get());
    return nullptr;
  }

  // --- call plumbing (GenServer): a reply to `ref` is delivered only while active
  void activate_alias(Ref ref) {
    touch_own(AccessObserver::Part::aliases, ref.id);
    relations_mut().aliases.insert(ref);
  }
  void deactivate_alias(Ref ref) {
    touch_own(AccessObserver::Part::aliases, ref.id);
    if (rel_) rel_->aliases.erase(ref);
  }

  Ref make_ref();
  bool fault(std::string_view point);
  TraceSink* trace();

  // The monitors of names this process holds (monitor(name)): ref -> the DOWN's object. In
  // local() state, made by the first such monitor: no byte for a process that never makes one.
  struct NamedMonitors : std::vector<std::pair<Ref, Term>> {};

  // --- kernel side (Node only)
  ProcState state() const { return state_; }
  // A message handed straight to a waiting receive counts until the receive resumes with it.
  size_t mailbox_size() const { return mailbox_.size(); }  // a match handed to a waiting receive included
  std::string describe_wait() const;

 private:
  friend class Node;
  std::optional<size_t> find_match(const Filter& f, size_t from);
  Ref monitor_nobody(Term object);
  void suspend_in_receive(ReceiveAwaiter* awaiter, std::coroutine_handle<> h, Timeout timeout);
  void finish_receive();
  void push_message(Message&& m);  // a delivered message: wake the process if it matches
  void require_running(const char* what) const {  // on every receive: the throw is out of line
    if (state_ != ProcState::running) [[unlikely]]
      not_running(what);
  }
  [[noreturn]] void not_running(const char* what) const;
  void touch_own(AccessObserver::Part set, uint64_t key) const;  // for the simulator's partial-order reduction
  // send_after and start_timer, to a pid (name: none) or a name.
  Ref message_timer(const char* what, Pid dest, const std::string* name, Message msg, int64_t ms, bool timeout_msg);
  Relations& relations_mut() {
    if (!rel_) rel_.reset(new (block_cache::allocate(sizeof(Relations))) Relations());
    return *rel_;
  }

  Node& node_;
  Pid pid_;
  Pid parent_;
  ProcState state_ = ProcState::runnable;
  bool trap_exit_ = false;
  bool timed_out_ = false;
  bool handed_ = false;  // a waiting receive was handed its match on arrival (awaiter.at)
  uint32_t wait_generation_ = 0;  // (beside the flags: 32 bits fill what was padding)
  Body body_;
  Proc root_;
  std::coroutine_handle<> resume_;
  ReceiveAwaiter* waiting_ = nullptr;  // the receive (or sleep) this process waits in
  uint64_t wait_timer_ = 0;  // executor timer id of the pending `after`, 0 = none
  Mailbox mailbox_;
  // From the block cache, as the trees' own nodes are: a spawn_monitor or a first call pays a
  // pointer bump, not a malloc.
  struct FreeRelations {
    void operator()(Relations* r) const noexcept {
      r->~Relations();
      block_cache::deallocate(r, sizeof(Relations));
    }
  };
  std::unique_ptr<Relations, FreeRelations> rel_;  // see relations()
  std::unique_ptr<std::string> name_;  // a pointer: most processes have none (W6)
  std::unique_ptr<std::map<std::string, Term, std::less<>>> dict_;  // a pointer: most processes have none (W6)
  template <class T>
  static constexpr char local_tag = 0;  // one address per type: local<T>'s key
  using Locals = std::vector<std::pair<const void*, std::shared_ptr<void>>>;
  std::unique_ptr<Locals> locals_;  // a pointer: most processes have none (W6)
};

}  // namespace otp
