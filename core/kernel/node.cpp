#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/kernel/process_info.hpp>

#include <algorithm>
#include <cassert>
#include <exception>

namespace otp {

const char* to_string(SignalKind k) {
  switch (k) {
    case SignalKind::message: return "message";
    case SignalKind::exit: return "exit";
    case SignalKind::link: return "link";
    case SignalKind::unlink: return "unlink";
    case SignalKind::monitor: return "monitor";
    case SignalKind::demonitor: return "demonitor";
    case SignalKind::down: return "down";
    case SignalKind::reply: return "reply";
    case SignalKind::info: return "info";
  }
  return "?";
}

Node::Node(Executor& executor)
    : executor_(executor),
      concurrent_(executor.concurrent()),
      nshards_(std::max(1u, executor.shards())),
      shards_(std::make_unique<Shard[]>(nshards_)) {
  for (unsigned i = 0; i < nshards_; ++i) shards_[i].next_ref.store(i + 1, std::memory_order_relaxed);
}

Node::~Node() {
  // Destroy coroutine frames first, while every Process object still exists.
  uint64_t n = fresh_.load();
  for (uint64_t i = 1; i < n && i <= kPidIndexMask; ++i)
    if (auto* s = procs_.find(i))
      if (Process* p = s->proc.load()) p->root_ = Proc{};
  for (uint64_t i = 1; i < n && i <= kPidIndexMask; ++i)
    if (auto* s = procs_.find(i)) delete s->proc.load();
}

Process* Node::find(Pid pid) {
  touch(AccessObserver::process(pid), false);
  return find_untouched(pid);
}

Process* Node::find_untouched(Pid pid) {
  // (Pid{} finds slot 0, never used: its id stays 0 and its process nullptr.)
  auto* s = procs_.find(pid_index(pid));
  // Only the process's own thread touches it (or finds it dead): once the id matches, the
  // process cannot exit or be replaced under us.
  if (!s || s->id.load(std::memory_order_acquire) != pid.id) return nullptr;
  return s->proc.load(std::memory_order_relaxed);
}

bool Node::alive(Pid pid) const {
  touch(AccessObserver::process(pid), false);
  auto* s = pid.id == 0 ? nullptr : procs_.find(pid_index(pid));
  return s && s->id.load(std::memory_order_acquire) == pid.id;
}

bool Node::released(Pid pid) const {
  auto* s = pid.id == 0 ? nullptr : procs_.find(pid_index(pid));
  if (!s) return true;
  const uint64_t id = s->id.load(std::memory_order_acquire);
  return id != pid.id && id != dying_id(pid);
}

Pid Node::occupant(uint64_t index) const {
  auto* s = index == 0 ? nullptr : procs_.find(index);
  uint64_t id = s ? s->id.load(std::memory_order_acquire) : 0;
  return (id & kFree) ? Pid{} : Pid{id};
}

// A slot off a free-slot stack (0: none), with the serial its next occupant gets: the calling
// thread's shard's first, then the others' (slots freed on another core), so the table grows
// only when no stack has a slot.
uint64_t Node::pop_free(uint64_t& serial) {
  const unsigned own = executor_.shard();
  for (unsigned k = 0; k < nshards_; ++k)
    if (uint64_t index = pop_free_from(shards_[(own + k) % nshards_].free_head, serial)) return index;
  return 0;
}

uint64_t Node::pop_free_from(std::atomic<uint64_t>& free_head, uint64_t& serial) {
  uint64_t head = free_head.load(std::memory_order_acquire);
  for (;;) {
    uint64_t index = head & kPidIndexMask;
    if (index == 0) return 0;
    // Slots are never freed, so this read is safe even when another thread pops the slot
    // first (the tag then makes our compare-and-swap fail).
    uint64_t word = procs_.find(index)->id.load(std::memory_order_relaxed);
    uint64_t next = word & kPidIndexMask;
    uint64_t tag = (head & ~kPidIndexMask) + (kPidIndexMask + 1);
    if (free_head.compare_exchange_weak(head, tag | next, std::memory_order_acquire, std::memory_order_acquire)) {
      serial = ((word & ~kFree) >> kPidIndexBits) + 1;
      return index;
    }
  }
}

// The slot of a process that has exited (its pid had `serial`): reused by a later spawn,
// unless its serial is used up (never, in practice: the slot is then retired).
void Node::push_free(Slot& s, uint64_t index, uint64_t serial) {
  uint64_t dead = kFree | (serial << kPidIndexBits);
  if (serial == kPidSerialMax) {
    s.id.store(dead, std::memory_order_release);
    return;
  }
  std::atomic<uint64_t>& free_head = shards_[executor_.shard()].free_head;
  uint64_t head = free_head.load(std::memory_order_relaxed);
  uint64_t tag;
  do {
    s.id.store(dead | (head & kPidIndexMask), std::memory_order_relaxed);
    tag = (head & ~kPidIndexMask) + (kPidIndexMask + 1);
  } while (!free_head.compare_exchange_weak(head, tag | index, std::memory_order_release, std::memory_order_relaxed));
}

void Node::set_exit_capacity(size_t n) {
  auto lk = lock();
  exits_.set_capacity(n);
}

size_t Node::exit_capacity() const {
  auto lk = lock();
  return exits_.capacity();
}

uint64_t Node::sum(std::atomic<uint64_t> Shard::*field) const {
  uint64_t n = 0;
  for (unsigned i = 0; i < nshards_; ++i) n += (shards_[i].*field).load(std::memory_order_acquire);
  return n;
}

uint64_t Node::spawned_count() const { return sum(&Shard::spawned); }

size_t Node::live_count() const {
  // Exits first: a process is counted spawned before it can exit (the counts are released),
  // so the spawns read after them are at least as many.
  uint64_t exited = sum(&Shard::exited);
  return static_cast<size_t>(sum(&Shard::spawned) - exited);
}

uint64_t Node::exits_forgotten() const {
  auto lk = lock();
  return exits_.forgotten();
}

std::optional<Term> Node::exit_reason(Pid pid) const {
  auto lk = lock();
  if (const Term* reason = exits_.find(pid.id)) return *reason;
  return std::nullopt;
}

std::vector<Pid> Node::live_pids() const {
  std::vector<Pid> out;
  uint64_t n = fresh_.load();
  for (uint64_t i = 1; i < n && i <= kPidIndexMask; ++i) {
    auto* s = procs_.find(i);  // (rt: a spawn may not have made its slot's chunk yet)
    uint64_t id = s ? s->id.load(std::memory_order_acquire) : 0;
    if (id != 0 && !(id & kFree)) out.push_back(Pid{id});
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<Term> Node::env_get(const std::string& app, const std::string& key) const {
  touch(AccessObserver::env(app, key), false);
  auto lk = lock();
  auto it = app_env_.find({app, key});
  if (it == app_env_.end()) return std::nullopt;
  return it->second;
}

void Node::env_put(const std::string& app, const std::string& key, Term value) {
  touch(AccessObserver::env(app, key), true);
  auto lk = lock();
  app_env_[{app, key}] = std::move(value);
}

bool Node::exchange_app_started(const std::string& app, bool started) {
  touch(AccessObserver::env(app, ""), true);  // no env key is empty (a key names a setting)
  auto lk = lock();
  return started ? !apps_started_.insert(app).second : apps_started_.erase(app) > 0;
}

bool Node::load_app(const std::string& app) {
  touch(AccessObserver::env(app, ""), true);
  auto lk = lock();
  return apps_loaded_.insert(app).second;
}

Pid Node::spawn(Body body, SpawnOptions opts) {
  // A free slot once the first chunk of the table is used; until then a fresh one, so a small
  // run's pids are 1, 2, 3, ... (<0.N.0>) and a slot is reused only after 4,095 spawns.
  uint64_t serial = 0, index = 0;
  touch(AccessObserver::kSpawner, true);
  if (fresh_.load(std::memory_order_relaxed) >= kFreshFirst) index = pop_free(serial);
  if (index == 0) {
    index = fresh_.fetch_add(1, std::memory_order_relaxed);
    if (index > kPidIndexMask)
      throw UsageError("process table full: more than " + std::to_string(kPidIndexMask) + " live processes");
  }
  Pid pid = make_pid(index, serial);
  auto proc = std::make_unique<Process>(*this, pid, std::move(body));
  proc->parent_ = opts.parent;
  if (opts.link_to) {  // spawn_link is atomic: both sides of the link exist at once
    touch_element(AccessObserver::Part::links, opts.link_to, pid.id);
    Process* other = find(opts.link_to);
    assert(other && "spawn_link from a dead process");
    other->relations_mut().links.insert(pid);
    proc->relations_mut().links.insert(opts.link_to);
  }
  if (opts.monitor_by) {
    touch_element(AccessObserver::Part::monitoring, opts.monitor_by, opts.monitor_ref.id);
    Process* watcher = find(opts.monitor_by);
    assert(watcher && "spawn_monitor from a dead process");
    watcher->relations_mut().monitoring.insert_or_assign({opts.monitor_ref, pid});
    proc->relations_mut().watchers.insert_or_assign({opts.monitor_ref, opts.monitor_by});
  }
  Slot& slot = *procs_.get(index);
  slot.proc.store(proc.release(), std::memory_order_relaxed);
  slot.id.store(pid.id, std::memory_order_release);  // alive from here on
  shards_[executor_.shard()].spawned.fetch_add(1, std::memory_order_release);
  if (auto* t = trace())
    t->emit("spawn", {{"pid", Term(pid).to_string()}, {"parent", Term(opts.parent).to_string()}});
  if (observer_) [[unlikely]]
    observer_->spawned(pid);
  if (opts.apart) executor_.make_runnable_apart(pid);
  else executor_.make_runnable(pid);
  return pid;
}

// Inlined into run and run_slot: one of them runs on every turn of every process.
[[gnu::always_inline]] inline void Node::run_process(Process* p) {
  if (!p || p->state_ != ProcState::runnable) return;  // died after it was made runnable
  p->state_ = ProcState::running;
  std::coroutine_handle<> h;
  if (!p->root_) {
    try {
      p->root_ = p->body_(*p);
    } catch (...) {
      // The body threw before it became a coroutine; treat it like a crash inside.
      p->root_ = [](std::exception_ptr e) -> Proc { std::rethrow_exception(e); co_return; }(
          std::current_exception());
    }
    h = p->root_.handle();
  } else {
    h = std::exchange(p->resume_, {});
  }
  assert(h && "running a process with nothing to resume");
  detail::receive_slice = detail::kReceiveSlice;
  h.resume();
  if (!p->root_.handle().done()) {
    assert(p->state_ == ProcState::waiting || p->state_ == ProcState::runnable);
    return;
  }
  auto err = p->root_.handle().promise().error;
  finish(*p, err ? exit_reason_of(err) : reasons::normal());
}

void Node::run(Pid pid) { run_process(find(pid)); }

void Node::run_slot(uint64_t index) {
  Slot* s = procs_.find(index);
  if (!s || (s->id.load(std::memory_order_acquire) & kFree)) return;
  run_process(s->proc.load(std::memory_order_relaxed));  // (nullptr: never used)
}

void Node::kill_process(Process& p, Term reason) {
  assert(p.state_ != ProcState::running && p.state_ != ProcState::dead);
  finish(p, std::move(reason));
}

void Node::finish(Process& p, Term reason) {
  p.state_ = ProcState::dead;
  Pid pid = p.pid_;
  touch(AccessObserver::process(pid), true);
  touch(AccessObserver::of(AccessObserver::Part::links, pid.id), true);
  touch(AccessObserver::of(AccessObserver::Part::watchers, pid.id), true);
  if (p.wait_timer_) executor_.cancel_timer(p.wait_timer_);
  if (auto* t = trace())
    t->emit("exit", {{"pid", Term(pid).to_string()}, {"reason", reason.to_string()}});
  // Not alive from here on, for whoever gets its EXIT or DOWN (on rt that one may run on the
  // other worker before this call ends): on the BEAM is_process_alive is false by then. The
  // slot stays its own until its frame is gone; released() tells wait_exit when that is.
  Slot& slot = *procs_.find(pid_index(pid));
  slot.id.store(dying_id(pid), std::memory_order_release);
  // Its name goes before its exit signals do, as the BEAM unregisters a name before it sends
  // the links' and monitors' signals (measured on OTP 25): whoever gets its EXIT or DOWN finds
  // the name free — on rt, where that one may run on the other worker before this call ends, a
  // supervisor restarting a named child would otherwise find the name still held.
  const bool self_timers = p.rel_ && !p.rel_->self_timers.empty();
  if (p.name_ || record_exits_ || self_timers) {  // the node-wide lock only for what needs it
    auto lk = lock();
    if (self_timers)  // send_after timers to itself die with it (erlang:send_after)
      for (uint64_t token : p.rel_->self_timers)
        if (auto it = message_timers_.find(token); it != message_timers_.end()) erase_message_timer(it);
    if (p.name_) {  // S7
      touch(AccessObserver::name(*p.name_), true);
      names_.erase(*p.name_);
    }
    if (record_exits_) exits_.record(pid.id, reason);
  }
  for (Pid l : p.relations().links)  // S3
    executor_.send(Signal{SignalKind::exit, true, pid, l, {}, reason, {}});
  for (const auto& [ref, watcher] : p.relations().watchers)  // S4
    executor_.send(Signal{SignalKind::down, false, pid, watcher, ref, reason, {}});
  shards_[executor_.shard()].exited.fetch_add(1, std::memory_order_release);
  p.root_ = Proc{};  // destroy the frame while the Process object still exists
  slot.proc.store(nullptr, std::memory_order_relaxed);
  delete &p;
  // Free from here on (its pid has found no process since dying_id): the slot may take a new one at once
  // (rt: a signal still on its way to this pid goes to the slot's inbox, whose owner finds
  // the pid dead and bounces it — see RtExecutor).
  push_free(slot, pid_index(pid), pid_serial(pid));
  if (exit_observer_) exit_observer_(pid);
}

void Node::deliver(Signal&& s) {
  // Every signal reads the receiver's life: arriving before or after its exit are different
  // steps (kept, or bounced and dropped), so a delivery never commutes with that exit. A message
  // then touches only the mailbox (and the process, if it wakes it: push_message); every other
  // signal reads or changes the process's own state (links, monitors, trap_exit, life).
  Process* t = find(s.to);
  using Part = AccessObserver::Part;
  switch (s.kind) {  // what each signal reads or changes of the receiver (its life: deliver_exit)
    case SignalKind::message: touch(AccessObserver::mailbox(s.to), true); break;
    case SignalKind::exit:
      touch(AccessObserver::of(Part::trap, s.to.id), false);
      if (s.from_link) touch_element(Part::links, s.to, s.from.id);
      break;
    case SignalKind::link:
    case SignalKind::unlink: touch_element(Part::links, s.to, s.from.id); break;
    case SignalKind::monitor:
    case SignalKind::demonitor: touch_element(Part::watchers, s.to, s.ref.id); break;
    case SignalKind::down: touch_element(Part::monitoring, s.to, s.ref.id); break;
    case SignalKind::reply:  // reads whether the alias (or the monitor that is one) is still active
      touch(AccessObserver::of(Part::aliases, s.to.id), false);
      touch(AccessObserver::element(Part::aliases, s.to.id, s.ref.id), false);
      touch(AccessObserver::of(Part::monitoring, s.to.id), false);
      touch(AccessObserver::element(Part::monitoring, s.to.id, s.ref.id), false);
      break;
    case SignalKind::info:  // reads the whole process: its life (find, above), mailbox, trap flag, links, monitors
      touch(AccessObserver::mailbox(s.to), false);
      touch(AccessObserver::of(Part::trap, s.to.id), false);
      for (Part set : {Part::links, Part::watchers, Part::monitoring}) touch(AccessObserver::of(set, s.to.id), false);
      break;
  }
  if (auto* tr = trace()) {
    std::string what = s.kind == SignalKind::message || s.kind == SignalKind::reply
                           ? s.msg.to_term().to_string()
                           : s.reason.to_string();
    tr->emit("deliver", {{"sig", to_string(s.kind)},
                         {"from", Term(s.from).to_string()},
                         {"to", Term(s.to).to_string()},
                         {"what", std::move(what)},
                         {"dead", t ? "false" : "true"}});
  }
  if (!t) {
    bounce(s);
    return;
  }
  switch (s.kind) {
    case SignalKind::info:
      executor_.send(Signal{SignalKind::message, false, s.to, s.from, {}, {}, Message(ProcessInfoReply{s.ref, info_of(*t)})});
      return;
    case SignalKind::message:
      t->push_message(std::move(s.msg));
      return;
    case SignalKind::exit:
      deliver_exit(*t, s);
      return;
    case SignalKind::link:
      t->relations_mut().links.insert(s.from);
      return;
    case SignalKind::unlink:
      if (t->rel_) t->rel_->links.erase(s.from);
      return;
    case SignalKind::monitor:
      if (s.from != s.to) t->relations_mut().watchers.insert_or_assign({s.ref, s.from});
      return;
    case SignalKind::demonitor:
      if (t->rel_) t->rel_->watchers.erase(s.ref);
      return;
    case SignalKind::down:
      // After demonitor no DOWN for that monitor may appear (S4); a monitor that is an alias
      // (see reply below) stops being one with it.
      if (t->rel_ && t->rel_->monitoring.erase(s.ref)) {
        Term object{};
        if (t->find_local<Process::NamedMonitors>()) {  // a monitor of a name: the DOWN names it
          auto& named = t->local<Process::NamedMonitors>();
          auto it = std::find_if(named.begin(), named.end(), [&](const auto& e) { return e.first == s.ref; });
          if (it != named.end()) {
            object = std::move(it->second);
            named.erase(it);
          }
        }
        t->push_message(DownMsg{s.ref, s.from, std::move(s.reason), std::move(object)});
      }
      return;
    case SignalKind::reply: {
      // Only while the caller still waits for it (OTP 24+ alias semantics): a late reply is
      // dropped (S11). The ref is an alias the caller made (a call's), or a monitor it still
      // holds: a monitor made with alias: :demonitor, as Elixir's tasks are, is an alias for
      // as long as it lasts.
      const auto& rel = t->relations();
      if (rel.aliases.contains(s.ref) || rel.monitoring.contains(s.ref))
        t->push_message(std::move(s.msg).seal(Envelope::reply, {Pid{}, s.ref}));
      return;
    }
  }
}

void Node::deliver_exit(Process& t, Signal& s) {
  if (s.from_link && !(t.rel_ && t.rel_->links.erase(s.from))) return;  // unlinked meanwhile: no effect
  if (!s.from_link && s.reason.is_atom("kill")) {      // S2: untrappable
    kill_process(t, reasons::killed());
    return;
  }
  if (t.trap_exit_) {
    t.push_message(ExitMsg{s.from, std::move(s.reason)});
    return;
  }
  if (s.reason.is_atom("normal")) return;  // S2: ignored unless sent to oneself
  kill_process(t, std::move(s.reason));
}

void Node::bounce(Signal& s) {
  if (s.kind == SignalKind::info)  // process_info of a dead pid: undefined
    executor_.send(Signal{SignalKind::message, false, s.to, s.from, {}, {}, Message(ProcessInfoReply{s.ref, std::nullopt})});
  else if (s.kind == SignalKind::link)  // S3: linking to a dead pid yields noproc
    executor_.send(Signal{SignalKind::exit, true, s.to, s.from, {}, reasons::noproc(), {}});
  else if (s.kind == SignalKind::monitor)  // S4: DOWN with noproc at once
    executor_.send(Signal{SignalKind::down, false, s.to, s.from, s.ref, reasons::noproc(), {}});
}

void Node::fire_timer(const TimerTarget& target) {
  if (target.kind == TimerTarget::Kind::receive_timeout) {
    Process* p = find(target.pid);
    if (!p || p->state_ != ProcState::waiting || p->wait_generation_ != target.token) return;
    p->wait_timer_ = 0;
    p->timed_out_ = true;
    p->state_ = ProcState::runnable;
    executor_.make_runnable(p->pid_);
    return;
  }
  MessageTimer mt;
  {
    auto lk = lock();
    auto it = message_timers_.find(target.token);
    if (it == message_timers_.end()) return;
    mt = std::move(it->second);
    message_timers_.erase(it);
  }
  if (!mt.name.empty()) {  // S6, S7: to whoever holds the name now; nobody: dropped, no error
    Pid to = whereis(mt.name);
    if (auto* t = trace())
      t->emit("timer", {{"to", mt.name + (to ? "=" + Term(to).to_string() : " (not registered)")},
                        {"what", mt.msg.to_term().to_string()}});
    // A signal from no process: the holder may run on another thread (rt), and is touched only
    // there. Ordered with no other sender's signals, as a timer's message is on the BEAM.
    if (to) executor_.send(Signal{SignalKind::message, false, Pid{}, to, {}, {}, std::move(mt.msg)});
    return;
  }
  if (auto* t = trace())
    t->emit("timer", {{"to", Term(mt.dest).to_string()}, {"what", mt.msg.to_term().to_string()}});
  if (Process* p = find(mt.dest)) {  // run where its destination runs: its own records are ours to touch
    if (p->rel_) std::erase(p->rel_->self_timers, target.token);
    p->push_message(std::move(mt.msg));
  }
}

void Node::erase_message_timer(std::unordered_map<uint64_t, MessageTimer>::iterator it) {
  if (it->second.timer_id != 0) executor_.cancel_timer(it->second.timer_id);
  message_timers_.erase(it);
}

void Node::sweep_message_timers() {
  for (auto it = message_timers_.begin(); it != message_timers_.end();) {
    auto next = std::next(it);
    const Pid dest = it->second.dest;
    auto* s = dest.id == 0 ? nullptr : procs_.find(pid_index(dest));
    const bool to_name = !it->second.name.empty();  // no exit ends a timer to a name
    if (!to_name && (!s || s->id.load(std::memory_order_acquire) != dest.id)) erase_message_timer(it);  // unseen by the observer
    it = next;
  }
  sweep_timers_at_ = std::max(kTimerSweepMin, 2 * message_timers_.size());
}

Ref Node::start_message_timer(Pid dest, Message msg, int64_t ms, Pid armed_by, std::string dest_name, bool timeout_msg) {
  Ref ref = make_ref();
  if (timeout_msg) msg = Message(TimeoutMsg{ref, std::move(msg)});
  int64_t deadline = deadline_after(now_ms(), ms);
  auto lk = lock();  // held across arm_timer: the timer must find its entry when it fires
  const bool by_name = !dest_name.empty();  // (dest: none)
  // A timer for the end of time never fires: it is kept (cancel_timer finds it) but not armed.
  uint64_t id = deadline == kNeverMs ? 0 : executor_.arm_timer(deadline, {TimerTarget::Kind::message, dest, ref.id, armed_by, by_name});
  message_timers_.emplace(ref.id, MessageTimer{id, deadline, dest, std::move(msg), std::move(dest_name)});
  if (message_timers_.size() >= sweep_timers_at_) sweep_message_timers();
  return ref;
}

std::optional<int64_t> Node::timer_left(const MessageTimer& t) {
  // A timer to a pid is cancelled by that process's exit (erlang:send_after): cancel_timer and
  // read_timer then find no timer (false), as on the BEAM. No exit ends a timer to a name.
  if (t.name.empty() && find(t.dest) == nullptr) return std::nullopt;
  // Due but not fired yet (rt: the timer thread has not reached it; the simulator: a delayed
  // timer) is 0 ms left, as on the BEAM: after a cancel the message is still never sent.
  return std::max<int64_t>(0, t.deadline_ms - now_ms());
}

std::optional<int64_t> Node::cancel_message_timer(Ref ref) {
  auto lk = lock();
  auto it = message_timers_.find(ref.id);
  if (it == message_timers_.end()) return std::nullopt;
  auto left = timer_left(it->second);
  erase_message_timer(it);
  return left;
}

std::optional<int64_t> Node::read_message_timer(Ref ref) {
  auto lk = lock();
  auto it = message_timers_.find(ref.id);
  return it == message_timers_.end() ? std::nullopt : timer_left(it->second);
}

bool Node::register_name(const std::string& name, Pid pid) {
  touch(AccessObserver::name(name), true);
  auto lk = lock();
  Process* p = find(pid);
  // S7: `undefined` is no name (erlang:register(undefined, P) is badarg): whereis answers it for
  // a name nobody holds, so a process registered under it could never be told apart.
  if (name.empty() || name == "undefined" || !p || p->name_) return false;
  if (!names_.emplace(name, pid).second) return false;
  p->name_ = std::make_unique<std::string>(name);
  return true;
}

void Node::unregister_name(const std::string& name) {
  touch(AccessObserver::name(name), true);
  auto lk = lock();
  auto it = names_.find(name);
  if (it == names_.end()) return;
  if (Process* p = find(it->second)) p->name_.reset();
  names_.erase(it);
}

Pid Node::whereis(std::string_view name) const {
  touch(AccessObserver::name(name), false);
  auto lk = lock();
  auto it = names_.find(name);
  return it == names_.end() ? Pid{} : it->second;
}

}  // namespace otp

namespace otp {

ProcessInfo Node::info_of(const Process& p) const {
  ProcessInfo i;
  i.pid = p.pid_;
  switch (p.state_) {
    case ProcState::runnable: i.status = "runnable"; break;
    case ProcState::running: i.status = "running"; break;
    case ProcState::waiting: i.status = "waiting"; break;
    case ProcState::dead: i.status = "exiting"; break;
  }
  i.waiting_on = p.describe_wait();
  i.message_queue_len = p.mailbox_size();
  const Process::Relations& r = p.relations();
  i.links.assign(r.links.begin(), r.links.end());
  for (const auto& [ref, target] : r.monitoring) i.monitors.push_back(target);
  for (const auto& [ref, watcher] : r.watchers) i.monitored_by.push_back(watcher);
  i.registered_name = p.registered_name();
  i.trap_exit = p.trap_exit_;
  return i;
}

Term ProcessInfo::to_term() const {
  auto pids = [](const std::vector<Pid>& v) {
    std::vector<Term> out;
    for (Pid p : v) out.emplace_back(p);
    return Term::list(std::move(out));
  };
  std::vector<Term> mons;
  for (Pid p : monitors) mons.push_back(tuple(atom("process"), p));
  std::vector<Term> items = {tuple(atom("status"), atom(status)), tuple(atom("message_queue_len"), Term::integer(static_cast<int64_t>(message_queue_len))),
                             tuple(atom("links"), pids(links)), tuple(atom("monitors"), Term::list(std::move(mons))),
                             tuple(atom("monitored_by"), pids(monitored_by))};
  if (!registered_name.empty()) items.push_back(tuple(atom("registered_name"), atom(registered_name)));
  items.push_back(tuple(atom("trap_exit"), atom(trap_exit ? "true" : "false")));
  items.push_back(tuple(atom("waiting_on"), Term::string(waiting_on)));
  return Term::list(std::move(items));
}

Task<std::optional<ProcessInfo>> process_info(Process& self, Pid pid) {
  if (pid == self.self()) co_return self.node().info_of(self);
  Ref ref = self.make_ref();
  size_t mark = self.receive_mark();
  self.node().executor().send(Signal{SignalKind::info, false, self.self(), pid, ref, {}, {}});
  auto m = co_await self.receive_after(mark, [ref](const Message& m) {
    const auto* r = m.get<ProcessInfoReply>();
    return r && r->ref == ref;
  });
  co_return m->get<ProcessInfoReply>()->info;
}

// As OTP 21+'s is_process_alive: the question is a signal behind the caller's earlier ones.
Task<bool> is_process_alive(Process& self, Pid pid) {
  if (!pid) co_return false;
  co_return (co_await process_info(self, pid)).has_value();
}

}  // namespace otp
