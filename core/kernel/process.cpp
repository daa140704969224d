#include <otpsim/core/kernel/process.hpp>

#include <cassert>
#include <string>

#include <otpsim/core/kernel/node.hpp>

namespace otp {

Process::Process(Node& node, Pid pid, Body body) : node_(node), pid_(pid), body_(std::move(body)) {}
Process::~Process() = default;

int64_t Process::now_ms() const { return node_.now_ms(); }
Ref Process::make_ref() { return node_.make_ref(); }
bool Process::fault(std::string_view point) { return node_.executor().fault(point); }
TraceSink* Process::trace() { return node_.trace(); }

void Process::not_running(const char* what) const {
  throw UsageError(std::string(what) + ": only the process itself may do this, from its body");
}

// ---------------------------------------------------------------- messages

void Process::send(Pid to, Message msg) {
  if (!to) throw Exit(atom("badarg"));  // S7: no pid (whereis's answer for a free name): `undefined ! M`
  Signal s{SignalKind::message, false, pid_, to, {}, {}, std::move(msg)};
  // To itself: in its own mailbox at once, as an exit signal to itself is (below) and as on the
  // BEAM (measured: `send(self(), x)` then `receive x -> ... after 0 -> ...` finds it, and a
  // GenServer's `{ok, S, 0}` after such a send handles the message, not the timeout).
  if (to == pid_) return node_.deliver(std::move(s));
  node_.executor().send(std::move(s));
}

void Process::send(const std::string& name, Message msg) {
  Pid to = node_.whereis(name);
  if (!to) throw Exit(atom("badarg"));  // S7: sending to an unregistered name
  send(to, std::move(msg));
}

std::optional<size_t> Process::find_match(const Filter& f, size_t from) {
  if (!f) return std::nullopt;
  for (size_t i = from; i < mailbox_.size(); ++i)
    if (f(mailbox_[i])) {
      node_.observe_take(pid_, i);
      return i;
    }
  return std::nullopt;
}

Process::ReceiveAwaiter Process::receive(Filter filter, Timeout timeout) {
  return ReceiveAwaiter{*this, std::move(filter), checked_timeout(timeout, "receive")};
}

Process::ReceiveAwaiter Process::receive_after(size_t mark, Filter filter, Timeout timeout) {
  assert(mark <= mailbox_.size() && "receive_after: the mailbox lost messages since the mark was taken");
  uint32_t from = mark <= mailbox_.size() && mark <= UINT32_MAX ? static_cast<uint32_t>(mark) : 0;  // (0: look at all)
  return ReceiveAwaiter{*this, std::move(filter), checked_timeout(timeout, "receive"), false, false, false, from};
}

Process::ReceiveAwaiter Process::receive_any(Timeout timeout) {
  return ReceiveAwaiter{*this, Filter{}, checked_timeout(timeout, "receive"), false, true};
}

Process::ReceiveAwaiter Process::sleep(int64_t ms) {
  if (ms < 0) throw UsageError("sleep: negative duration " + std::to_string(ms));
  return ReceiveAwaiter{*this, Filter{}, ms};
}

bool Process::ReceiveAwaiter::await_ready() {
  proc.require_running("receive");
  if (any) {
    if (!proc.mailbox_.empty()) {
      proc.node_.observe_take(proc.pid_, 0);
      at = 0;
      got = true;
    }
  } else if (auto i = proc.find_match(filter, from)) {
    at = static_cast<uint32_t>(*i);
    got = true;
  }
  if (!got && timeout == 0) proc.node_.observe_scan(proc.pid_);  // nothing there: that depends on every arrival
  if (!got && timeout != 0) return false;  // `after 0` looks at the mailbox only once
  if (--detail::receive_slice == 0) [[unlikely]] {
    preempted = true;  // what it found stays found: the mailbox only grows until it runs again
    return false;
  }
  return true;
}

void Process::ReceiveAwaiter::await_suspend(std::coroutine_handle<> h) {
  if (preempted) [[unlikely]] {
    proc.resume_ = h;
    proc.state_ = ProcState::runnable;
    proc.node_.executor().make_runnable(proc.pid_);
    return;
  }
  proc.suspend_in_receive(this, h, timeout);
}

std::optional<Message> Process::ReceiveAwaiter::await_resume() {
  if (got) {
    if (proc.handed_) proc.node_.observe_take(proc.pid_, AccessObserver::kHanded);
    proc.handed_ = false;
    return proc.mailbox_.take(at);  // the mailbox only grew since: `at` still names the match
  }
  if (timeout == 0) return std::nullopt;
  proc.finish_receive();
  return std::nullopt;
}

void Process::suspend_in_receive(ReceiveAwaiter* awaiter, std::coroutine_handle<> h, Timeout timeout) {
  assert(state_ == ProcState::running);
  resume_ = h;
  waiting_ = awaiter;  // everything in the mailbox was tried by await_ready: only arrivals can match
  state_ = ProcState::waiting;
  timed_out_ = false;
  ++wait_generation_;
  if (timeout != infinity) {
    int64_t deadline = deadline_after(now_ms(), timeout);
    if (deadline == kNeverMs) return;  // waits as with infinity
    TimerTarget t{TimerTarget::Kind::receive_timeout, pid_, wait_generation_};
    wait_timer_ = node_.executor().arm_timer(deadline, t);
  }
}

// Resumed without a message: a match on arrival goes straight into the awaiter (push_message),
// so only the receive's timeout (or a sleep's end) resumes a receive with nothing.
void Process::finish_receive() {
  assert(timed_out_ && "woken from receive without a match or a timeout");
  waiting_ = nullptr;
  timed_out_ = false;
}

void Process::push_message(Message&& m) {
  // (a sleep waits with no filter: nothing matches it)
  if (state_ != ProcState::waiting || !waiting_ || (!waiting_->any && (!waiting_->filter || !waiting_->filter(m)))) {
    node_.observe_push(pid_, false);
    mailbox_.push(std::move(m));
    return;
  }
  node_.observe_push(pid_, true);
  // The first match since the receive began: everything in the mailbox was tried already, so
  // the receive resumes with it (the filter is not run again: it may count calls). It waits at
  // the mailbox's end, queued like any other message, until the receive takes it.
  assert(mailbox_.size() < UINT32_MAX && "a mailbox index fits the awaiter's 32 bits");
  waiting_->at = static_cast<uint32_t>(mailbox_.size());
  mailbox_.push(std::move(m));
  waiting_->got = true;
  handed_ = true;
  waiting_ = nullptr;
  if (wait_timer_) node_.executor().cancel_timer(wait_timer_);
  wait_timer_ = 0;
  state_ = ProcState::runnable;
  node_.executor().make_runnable(pid_);
}

void Process::YieldAwaiter::await_suspend(std::coroutine_handle<> h) {
  proc.resume_ = h;
  proc.state_ = ProcState::runnable;
  proc.node_.executor().make_runnable(proc.pid_);
}

// ---------------------------------------------------------------- exits, links, monitors

void Process::exit(Pid target, Term reason) {
  if (!target) throw Exit(atom("badarg"));  // S7: exit(undefined, R) is badarg
  if (target == pid_) {  // S2: a signal to oneself takes effect at once, and no catch takes it
    if (reason.is_atom("kill")) throw ExitSignal(reasons::killed());
    if (trap_exit_) {
      node_.observe_push(pid_, false);
      mailbox_.push(ExitMsg{pid_, std::move(reason)});
      return;
    }
    throw ExitSignal(std::move(reason));  // `normal` too: exit(self(), normal) ends the process
  }
  Signal s;
  s.kind = SignalKind::exit;
  s.from = pid_;
  s.to = target;
  s.reason = std::move(reason);
  node_.executor().send(std::move(s));
}

void Process::exit(Term reason) { throw Exit(std::move(reason)); }

void Process::touch_own(AccessObserver::Part part, uint64_t key) const { node_.touch_element(part, pid_, key); }

bool Process::trap_exit(bool on) {
  node_.touch(AccessObserver::of(AccessObserver::Part::trap, pid_.id), true);
  return std::exchange(trap_exit_, on);
}

void Process::link(Pid other) {
  if (!other) throw Exit(atom("badarg"));  // S7: link(undefined) is badarg
  node_.touch_element(AccessObserver::Part::links, pid_, other.id);
  if (other == pid_ || relations().links.contains(other)) return;
  node_.touch(AccessObserver::of(AccessObserver::Part::trap, pid_.id), false);
  // Measured on OTP 25 (link/1 looks the pid up first): a non-trapping caller linking to a dead
  // local pid fails inside link/1 with noproc; a trapping one finds {'EXIT', Pid, noproc} in its
  // mailbox at once (1000 of 1000 by `receive ... after 0`), and no link is made. A pid that dies
  // while the link signal travels bounces it: the exit signal noproc comes back (the path below).
  if (!node_.alive(other)) {
    if (!trap_exit_) throw Exit(reasons::noproc());
    return node_.deliver(Signal{SignalKind::exit, false, other, pid_, {}, reasons::noproc(), {}});
  }
  relations_mut().links.insert(other);
  node_.executor().send(Signal{SignalKind::link, false, pid_, other, {}, {}, {}});
}

void Process::unlink(Pid other) {
  if (!other) throw Exit(atom("badarg"));  // S7: unlink(undefined) is badarg
  node_.touch_element(AccessObserver::Part::links, pid_, other.id);
  if (!(rel_ && rel_->links.erase(other))) return;
  node_.executor().send(Signal{SignalKind::unlink, false, pid_, other, {}, {}, {}});
}

Ref Process::monitor(Pid target) {
  if (!target) return monitor_nobody(tuple(atom("undefined"), atom("nonode@nohost")));  // S7: monitor(process, undefined)
  Ref ref = make_ref();
  node_.touch_element(AccessObserver::Part::monitoring, pid_, ref.id);
  relations_mut().monitoring.insert_or_assign({ref, target});
  node_.executor().send(Signal{SignalKind::monitor, false, pid_, target, ref, {}, {}});
  return ref;
}

namespace {
void check_name(const char* what, const std::string& name) {
  if (name.empty()) throw UsageError(std::string(what) + ": an empty name");
  if (name.size() > Term::kMaxAtom)
    throw UsageError(std::string(what) + ": a name longer than " + std::to_string(Term::kMaxAtom) + " bytes");
}
}  // namespace

// S4: a monitor of a name nobody holds (or of no pid: the name `undefined`) is DOWN noproc at
// once (measured: found by `after 0`), its object {Name, Node}.
Ref Process::monitor_nobody(Term object) {
  Ref ref = make_ref();
  node_.touch_element(AccessObserver::Part::monitoring, pid_, ref.id);
  node_.observe_push(pid_, false);
  mailbox_.push(DownMsg{ref, Pid{}, reasons::noproc(), std::move(object)});
  return ref;
}

Ref Process::monitor(const std::string& name) {
  check_name("monitor", name);
  Term object = tuple(atom(name), atom("nonode@nohost"));
  Pid target = node_.whereis(name);  // now: a later holder of the name is not watched
  if (!target) return monitor_nobody(std::move(object));  // S4: nobody holds it
  Ref ref = monitor(target);
  local<NamedMonitors>().emplace_back(ref, std::move(object));  // (its DOWN comes no sooner than this process's next turn)
  return ref;
}

void Process::demonitor(Ref ref, bool flush) {
  node_.touch_element(AccessObserver::Part::monitoring, pid_, ref.id);
  if (find_local<NamedMonitors>()) std::erase_if(local<NamedMonitors>(), [ref](const auto& e) { return e.first == ref; });
  auto it = rel_ ? rel_->monitoring.find(ref) : RefToPid::const_iterator{};
  if (rel_ && it != rel_->monitoring.end()) {
    node_.executor().send(Signal{SignalKind::demonitor, false, pid_, it->value, ref, {}, {}});
    rel_->monitoring.erase(it);
    return;  // still active: its DOWN was never delivered (delivery ends the monitor), so there is nothing to flush
  }
  if (!flush) return;
  for (size_t i = 0; i < mailbox_.size(); ++i) {  // a monitor has one DOWN at most
    const auto* d = mailbox_[i].get<DownMsg>();
    if (d && d->ref == ref) {
      node_.observe_take(pid_, i);
      mailbox_.take(i);
      return;
    }
  }
}

Pid Process::spawn(Body body) { return node_.spawn(std::move(body), {.parent = pid_}); }

Pid Process::spawn_link(Body body) {
  return node_.spawn(std::move(body), {.link_to = pid_, .parent = pid_});
}

std::pair<Pid, Ref> Process::spawn_monitor(Body body) {
  Ref ref = make_ref();
  Pid pid = node_.spawn(std::move(body), {.monitor_by = pid_, .monitor_ref = ref, .parent = pid_});
  return {pid, ref};
}

// ---------------------------------------------------------------- timers, names

Ref Process::message_timer(const char* what, Pid dest, const std::string* name, Message msg, int64_t ms, bool timeout_msg) {
  if (name) check_name(what, *name);
  if (ms < 0) throw UsageError(std::string(what) + ": negative time " + std::to_string(ms));
  Ref ref = node_.start_message_timer(dest, std::move(msg), ms, pid_, name ? *name : std::string(), timeout_msg);
  if (!name && dest == pid_) relations_mut().self_timers.push_back(ref.id);  // cancelled by this process's exit
  return ref;
}

Ref Process::send_after(Pid dest, Message msg, int64_t ms) { return message_timer("send_after", dest, nullptr, std::move(msg), ms, false); }

Ref Process::send_after(const std::string& name, Message msg, int64_t ms) {
  return message_timer("send_after", Pid{}, &name, std::move(msg), ms, false);
}

Ref Process::start_timer(Pid dest, Message msg, int64_t ms) { return message_timer("start_timer", dest, nullptr, std::move(msg), ms, true); }

Ref Process::start_timer(const std::string& name, Message msg, int64_t ms) {
  return message_timer("start_timer", Pid{}, &name, std::move(msg), ms, true);
}

std::optional<int64_t> Process::read_timer(Ref timer) const { return node_.read_message_timer(timer); }

std::optional<int64_t> Process::cancel_timer(Ref timer) {
  if (rel_) std::erase(rel_->self_timers, timer.id);
  return node_.cancel_message_timer(timer);
}

bool Process::register_name(const std::string& name) { return node_.register_name(name, pid_); }

void Process::unregister_name() {
  if (name_) node_.unregister_name(std::string(*name_));  // (a copy: unregistering frees name_)
}

Pid Process::whereis(std::string_view name) const { return node_.whereis(name); }

std::string Process::describe_wait() const {
  switch (state_) {
    case ProcState::runnable: return "runnable";
    case ProcState::running: return "running";
    case ProcState::dead: return "dead";
    case ProcState::waiting: break;
  }
  std::string what = (waiting_ && (waiting_->any || waiting_->filter)) ? "receive" : "sleep";
  what += wait_timer_ ? " with timeout" : " (no timeout)";
  what += ", " + std::to_string(mailbox_.size()) + " message(s) in mailbox";
  return what;
}

}  // namespace otp
