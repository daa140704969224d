#include <otpsim/core/behaviours/supervisor_server.hpp>

#include <cassert>
#include <set>

namespace otp::supervisor {

namespace {

struct TryAgain {  // S29: a failed restart is retried through our own mailbox
  Term id;
  Term to_term() const { return tuple(atom("try_again_restart"), id); }
};

Term ok_undefined() { return tuple(atom("ok"), atom("undefined")); }
Term error(Term r) { return tuple(atom("error"), std::move(r)); }

}  // namespace

Term SupReq::to_term() const {
  static constexpr const char* names[] = {"start_child",  "terminate_child", "restart_child", "delete_child",
                                          "which_children", "count_children", "get_childspec"};
  if (op == Op::which || op == Op::count) return atom(names[static_cast<int>(op)]);  // as the BEAM's requests read
  return tuple(atom(names[static_cast<int>(op)]), spec ? spec->id : id);
}

// ---------------------------------------------------------------- init and terminate (S20, S22)

Task<InitResult> SupervisorServer::init(Process& self) {
  self.trap_exit(true);
  self.local<SupervisorMark>();
  if (auto e = check_flags(flags_)) co_return InitResult::stop(tuple(atom("supervisor_data"), *e));
  std::set<Term> ids;  // a set, not a scan of the earlier specs: wide trees start in linear time
  for (const ChildSpec& spec : initial_) {
    if (auto e = check_child_spec(spec, flags_.auto_shutdown)) co_return InitResult::stop(tuple(atom("start_spec"), *e));
    if (!ids.insert(spec.id).second)
      co_return InitResult::stop(tuple(atom("start_spec"), tuple(atom("duplicate_child_name"), spec.id)));
  }
  for (auto& spec : initial_) children_.push_back(Child{std::move(spec), {}, false, 0});
  initial_.clear();
  if (auto failed = co_await start_range(self, 0)) {
    co_await terminate_range(self, 0);  // roll back in reverse order
    co_return InitResult::stop(tuple(atom("shutdown"), *failed));
  }
  co_return InitResult::ok();
}

Task<void> SupervisorServer::terminate(Process& self, Term) { co_await terminate_range(self, 0); }

// ---------------------------------------------------------------- restart path

Task<Result> SupervisorServer::handle_info(Process& self, Message msg) {
  const auto* ex = msg.get<ExitMsg>();
  if (!ex) co_return Result::noreply();
  auto idx = find_pid(ex->from);
  if (!idx) co_return Result::noreply();  // not (or no longer) our child
  Outcome o = co_await on_child_exit(self, *idx, ex->reason);
  co_return o == Outcome::shutdown ? Result::stop(reasons::shutdown()) : Result::noreply();
}

Task<Result> SupervisorServer::handle_cast(Process& self, Message request) {
  const auto* t = request.get<TryAgain>();
  if (!t) co_return Result::noreply();
  auto idx = find_id(t->id);
  if (!idx || !children_[*idx].restarting) co_return Result::noreply();
  Outcome o = co_await restart(self, t->id);
  co_return o == Outcome::shutdown ? Result::stop(reasons::shutdown()) : Result::noreply();
}

// S24: the restart type and the exit reason decide.
Task<SupervisorServer::Outcome> SupervisorServer::on_child_exit(Process& self, size_t index, Term reason) {
  Child& c = children_[index];
  c.pid = Pid{};
  if (c.spec.restart == Restart::permanent) {
    report(self, "child_terminated", c, reason);
    co_return co_await restart(self, c.spec.id);
  }
  bool normal = is_normal_exit(reason);
  if (normal) {
    ChildSpec spec = c.spec;
    del_child(index);
    co_return auto_shutdown(spec);
  }
  report(self, "child_terminated", c, reason);
  if (c.spec.restart == Restart::transient) co_return co_await restart(self, c.spec.id);
  ChildSpec spec = c.spec;  // temporary: never restarted
  del_child(index);
  co_return auto_shutdown(spec);
}

// S28 then S25-S27; a failed start is retried later through the mailbox (S29).
Task<SupervisorServer::Outcome> SupervisorServer::restart(Process& self, Term id) {
  size_t idx = *find_id(id);
  if (!add_restart(self)) {
    report(self, "reached_max_restart_intensity", children_[idx], reasons::shutdown());
    del_child(idx);
    co_return Outcome::shutdown;
  }
  std::optional<Term> failed;
  switch (flags_.strategy) {
    case Strategy::one_for_one: failed = co_await restart_one_for_one(self, idx); break;
    case Strategy::one_for_all: failed = co_await restart_from(self, 0, idx); break;
    case Strategy::rest_for_one: failed = co_await restart_from(self, idx, idx); break;
  }
  if (failed) {
    // one_for_one names the child; start_range returns {failed_to_start_child, Id, R}.
    Term failed_id = failed->is_tuple(3) ? (*failed)[1] : *failed;
    failed = failed_id;
    Child& f = children_[*find_id(failed_id)];
    f.pid = Pid{};
    f.restarting = true;
    gen_server::cast(self, self.self(), TryAgain{*failed});
  }
  co_return Outcome::ok;
}

// S28: whole seconds; a timestamp equal to now - max_seconds is kept; more than
// max_restarts left in the window means give up.
bool SupervisorServer::add_restart(Process& self) {
  int64_t in_window = restarts_.record(self.now_ms());
  return in_window <= flags_.max_restarts;
}

Task<std::optional<Term>> SupervisorServer::restart_one_for_one(Process& self, size_t index) {  // S25
  Child& c = children_[index];
  Term r = co_await do_start_child(self, c.spec);
  if (r[0].is_atom("error")) {
    report(self, "start_error", c, r[1]);
    co_return c.spec.id;
  }
  c.pid = r[1].is_pid() ? r[1].pid() : Pid{};
  if (c.pid) ++c.starts;
  c.restarting = false;
  co_return std::nullopt;
}

// S26 (first = 0) and S27 (first = the exited child): terminate the children from `first`
// on in reverse start order, then start every spec from `first` on in start order.
Task<std::optional<Term>> SupervisorServer::restart_from(Process& self, size_t first, size_t exited) {
  children_[exited].pid = Pid{};
  children_[exited].restarting = false;
  co_await terminate_range(self, first);
  co_return co_await start_range(self, first);
}

// Start children_[first..] in order. Returns {failed_to_start_child, Id, R} on the first error.
Task<std::optional<Term>> SupervisorServer::start_range(Process& self, size_t first) {
  for (size_t i = first; i < children_.size();) {
    Term r = co_await do_start_child(self, children_[i].spec);
    Child& c = children_[i];
    if (r[0].is_atom("error")) {
      report(self, "start_error", c, r[1]);
      co_return tuple(atom("failed_to_start_child"), c.spec.id, r[1]);
    }
    if (!r[1].is_pid() && c.spec.restart == Restart::temporary) {  // S21
      children_.erase(children_.begin() + static_cast<ptrdiff_t>(i));
      continue;
    }
    c.pid = r[1].is_pid() ? r[1].pid() : Pid{};
    if (c.pid) ++c.starts;
    c.restarting = false;
    ++i;
  }
  co_return std::nullopt;
}

// ---------------------------------------------------------------- shutdown (S23)

// Children from `first` on, newest first, one at a time. Temporary ones are removed.
Task<void> SupervisorServer::terminate_range(Process& self, size_t first) {
  for (size_t i = children_.size(); i-- > first;) {
    if (children_[i].pid) co_await shutdown_child(self, children_[i]);
  }
  for (size_t i = children_.size(); i-- > first;) {
    if (children_[i].spec.restart == Restart::temporary) {
      children_.erase(children_.begin() + static_cast<ptrdiff_t>(i));
    } else {
      children_[i].pid = Pid{};
      children_[i].restarting = false;
    }
  }
}

// Monitor, not the link, tells us the child is gone: a child that unlinked itself must not
// hang the supervisor. The EXIT that the link also produced is flushed after the DOWN.
Task<void> SupervisorServer::shutdown_child(Process& self, Child& c) {
  Pid pid = c.pid;
  Ref mon = self.monitor(pid);
  Filter is_down = down_of(mon);
  Shutdown how = c.spec.effective_shutdown();
  std::optional<Message> down;
  if (how.kind == Shutdown::Kind::brutal_kill) {
    self.exit(pid, reasons::kill());
    down = co_await self.receive(is_down);
  } else {
    self.exit(pid, reasons::shutdown());
    down = co_await self.receive(is_down, how.kind == Shutdown::Kind::infinity ? infinity : how.ms);
    if (!down) {  // it did not stop in time
      self.exit(pid, reasons::kill());
      down = co_await self.receive(is_down);
    }
  }
  Term reason = down->get<DownMsg>()->reason;
  self.unlink(pid);
  auto exit_msg = co_await self.receive(exit_from(pid), 0);
  if (exit_msg) reason = exit_msg->get<ExitMsg>()->reason;
  bool expected = how.kind == Shutdown::Kind::brutal_kill ? reason.is_atom("killed") : reason.is_atom("shutdown");
  if (!expected && c.spec.restart != Restart::permanent && is_normal_exit(reason)) expected = true;
  if (!expected) report(self, "shutdown_error", c, reason);
  c.pid = Pid{};
}

Task<Term> SupervisorServer::do_start_child(Process& self, const ChildSpec& spec) {
  StartResult r;
  try {
    r = checked_start(co_await spec.start(self));
  } catch (...) {  // supervisor:do_start_child_i's `catch apply(M, F, A)`: {'EXIT', R}
    rethrow_if_exit_signal(std::current_exception());
    co_return error(tuple(atom("EXIT"), exit_reason_of(std::current_exception())));
  }
  switch (r.kind) {
    case StartResult::Kind::ok: {
      if (auto* t = self.trace())
        t->emit("supervisor", {{"sup", Term(self.self()).to_string()}, {"report", "child_started"},
                               {"id", spec.id.to_string()}, {"pid", Term(r.pid).to_string()}});
      co_return r.to_term();
    }
    case StartResult::Kind::ignore: co_return ok_undefined();
    case StartResult::Kind::error: co_return error(r.reason);
  }
  co_return error(atom("badarg"));
}

void SupervisorServer::del_child(size_t index) {
  if (children_[index].spec.restart == Restart::temporary) {
    children_.erase(children_.begin() + static_cast<ptrdiff_t>(index));
    return;
  }
  children_[index].pid = Pid{};
  children_[index].restarting = false;
}

SupervisorServer::Outcome SupervisorServer::auto_shutdown(const ChildSpec& exited) const {  // S32
  if (flags_.auto_shutdown == AutoShutdown::never || !exited.significant) return Outcome::ok;
  if (flags_.auto_shutdown == AutoShutdown::any_significant) return Outcome::shutdown;
  for (const auto& c : children_)  // one waiting for the retry of its restart is still there (OTP: {restarting,_})
    if ((c.pid || c.restarting) && c.spec.significant) return Outcome::ok;
  return Outcome::shutdown;
}

std::optional<size_t> SupervisorServer::find_id(const Term& id) const {
  for (size_t i = 0; i < children_.size(); ++i)
    if (children_[i].spec.id == id) return i;
  return std::nullopt;
}

std::optional<size_t> SupervisorServer::find_pid(Pid pid) const {
  for (size_t i = 0; i < children_.size(); ++i)
    if (children_[i].pid == pid) return i;
  return std::nullopt;
}

void SupervisorServer::report(Process& self, const char* what, const Child& c, const Term& reason) {
  if (auto* t = self.trace())
    t->emit("supervisor", {{"sup", Term(self.self()).to_string()}, {"report", what},
                           {"id", c.spec.id.to_string()}, {"reason", reason.to_string()}});
}

}  // namespace otp::supervisor
