#include <otpsim/core/behaviours/dynamic_supervisor.hpp>

#include <otpsim/core/behaviours/restart_window.hpp>

#include <cassert>
#include <map>
#include <memory>
#include <set>

#include <otpsim/core/memory/block_cache.hpp>

namespace otp::dynamic_supervisor {
namespace {

struct Req {
  enum class Op : uint8_t { start, terminate, which, count } op;
  // Shared, never changed once made: gen_server::call keeps a copy of every request for the
  // exit reason of a failed call, and a copy of a spec (its start function) cost a malloc.
  std::shared_ptr<const ChildSpec> spec{};
  Pid pid{};
  // As the BEAM's requests read in a call's exit reason ({noproc, {GenServer, call, [S, Req, T]}}).
  Term to_term() const {
    switch (op) {
      case Op::start: return tuple(atom("start_child"), spec ? spec_term(*spec) : atom("undefined"));
      case Op::terminate: return tuple(atom("terminate_child"), pid);
      case Op::which: return atom("which_children");
      case Op::count: return atom("count_children");
    }
    return atom("undefined");
  }
  static Term spec_term(const ChildSpec& s) {
    return tuple(atom("undefined"), list(), atom(to_string(s.restart)), otp::to_term(effective_shutdown(s.shutdown, s.type)),
                 atom(to_string(s.type)), modules_term(s.modules));
  }
};

struct TryAgain {
  Pid old;
  Term to_term() const { return tuple(atom("$gen_restart"), old); }
};

struct KillTimer {
  Pid pid;
  Term to_term() const { return tuple(atom("kill"), pid); }
};

class DynamicServer : public GenServer {
 public:
  explicit DynamicServer(Options o) : opts_(std::move(o)), restarts_(opts_.max_seconds) {}

  Task<InitResult> init(Process& self) override {
    self.trap_exit(true);
    // As Elixir's DynamicSupervisor.init: bad flags stop it with {supervisor_data, E}.
    if (auto e = check_flags({.max_restarts = opts_.max_restarts, .max_seconds = opts_.max_seconds}))
      co_return InitResult::stop(tuple(atom("supervisor_data"), *e));
    if (opts_.max_children && *opts_.max_children < 0)
      co_return InitResult::stop(tuple(atom("supervisor_data"), tuple(atom("invalid_max_children"), integer(*opts_.max_children))));
    co_return InitResult::ok();
  }

  // Not a coroutine itself: each request runs in a coroutine of its own, whose frame holds only
  // its own locals (one frame for all four was 1.6 KB, past the block cache's largest blocks, so
  // every start_child paid a malloc). What they need is taken from `request` before it goes.
  Task<Result> handle_call(Process& self, Message request, From) override {
    auto* r = request.get_mut<Req>();
    switch (r->op) {
      case Req::Op::start: return start_call(self, std::move(r->spec));
      case Req::Op::terminate: return terminate_call(self, r->pid);
      case Req::Op::which: return ready(Result::reply(which()));
      case Req::Op::count: return ready(Result::reply(count()));
    }
    return ready(Result::noreply());
  }

  // A child's exit that needs no restart (a temporary child, a transient one gone normally, a
  // pid that is not a child), and anything that is neither an exit nor a retry, are handled
  // here with no coroutine frame: a Task.Supervisor sees one such exit for every task it runs.
  std::optional<Result> try_handle_info(Process& self, Message& msg) override {
    if (msg.is<TryAgain>()) return std::nullopt;
    const auto* e = msg.get<ExitMsg>();
    if (!e) return noreply_now();
    auto it = children_.find(e->from);
    if (it == children_.end() || it->second.restarting) return noreply_now();
    if (restarts_on(it->second.spec->restart, e->reason)) return std::nullopt;
    if (!is_normal_exit(e->reason)) report(self, "child_terminated", e->from, e->reason);
    children_.erase(it);  // S40: a temporary child, or a transient one that exits normally, is removed
    return noreply_now();
  }

  // What try_handle_info leaves: a child to restart, or a retry of one whose restart failed.
  Task<Result> handle_info(Process& self, Message msg) override {
    Pid pid;
    Term reason;
    if (const auto* e = msg.get<ExitMsg>()) {
      pid = e->from;
      reason = e->reason;
    } else if (const auto* t = msg.get<TryAgain>()) {
      auto it = children_.find(t->old);
      if (it == children_.end() || !it->second.restarting) co_return Result::noreply();
      co_return (co_await restart(self, t->old)) ? Result::noreply() : Result::stop(reasons::shutdown());
    } else {
      co_return Result::noreply();
    }
    auto it = children_.find(pid);
    if (it == children_.end() || it->second.restarting) co_return Result::noreply();
    assert(restarts_on(it->second.spec->restart, reason));  // the rest was taken by try_handle_info
    report(self, "child_terminated", pid, reason);
    co_return (co_await restart(self, pid)) ? Result::noreply() : Result::stop(reasons::shutdown());
  }

  Task<void> terminate(Process& self, Term) override {
    std::vector<Pid> all;
    for (const auto& [pid, c] : children_)
      if (!c.restarting) all.push_back(pid);
    co_await terminate_all(self, all);
    children_.clear();
  }

 public:
  // As a supervisor's (sys::get_state): {supervisor, one_for_one, [{undefined, Pid, Type, Restarts}], {MaxR, MaxT}}.
  Term format_state(Process&) override {
    std::vector<Term> kids;
    for (const auto& [pid, c] : children_)
      kids.push_back(tuple(atom("undefined"), c.restarting ? atom("restarting") : Term(pid), atom(to_string(c.spec->type)),
                           Term::integer(static_cast<int64_t>(c.restarts))));
    return tuple(atom("supervisor"), atom("one_for_one"), Term::list(std::move(kids)),
                 tuple(Term::integer(opts_.max_restarts), Term::integer(opts_.max_seconds)));
  }

 private:
  struct Child {
    std::shared_ptr<const ChildSpec> spec;
    std::vector<Term> args;  // the supervisor's extra arguments, then the spec's
    bool restarting = false;
    uint64_t restarts = 0;
  };

  static Task<Result> ready(Result r) { co_return r; }

  static bool restarts_on(Restart kind, const Term& reason) {
    return kind == Restart::permanent || (kind == Restart::transient && !is_normal_exit(reason));
  }

  Task<Result> terminate_call(Process& self, Pid pid) {
    if (!children_.contains(pid)) co_return Result::reply(tuple(atom("error"), atom("not_found")));
    co_await terminate_all(self, {pid});
    children_.erase(pid);
    co_return Result::reply(atom("ok"));
  }

  Term which() const {
    std::vector<Term> out;
    for (const auto& [pid, c] : children_) {
      out.push_back(tuple(atom("undefined"), c.restarting ? atom("restarting") : Term(pid),
                          atom(to_string(c.spec->type)), modules_term(c.spec->modules)));
    }
    return Term::list(std::move(out));
  }

  Term count() const {
    int64_t sups = 0, active = 0;
    for (const auto& [pid, c] : children_) {
      sups += c.spec->type == ChildType::supervisor;
      active += !c.restarting;
    }
    return count_children_term(static_cast<int64_t>(children_.size()), active, sups);
  }

  Task<Result> start_call(Process& self, std::shared_ptr<const ChildSpec> spec) {
    if (opts_.max_children && static_cast<int64_t>(children_.size()) >= *opts_.max_children)
      co_return Result::reply(tuple(atom("error"), atom("max_children")));  // the start function is not called
    std::vector<Term> args = opts_.extra_arguments;
    args.insert(args.end(), spec->args.begin(), spec->args.end());
    // call_start's catch, written out: a frame fewer on every start_child.
    StartResult r;
    try {
      r = checked_start(co_await spec->start(self, args));
    } catch (...) {
      rethrow_if_exit_signal(std::current_exception());
      r = StartResult::error(exit_reason_of(std::current_exception()));
    }
    if (r.kind == StartResult::Kind::ok) children_.emplace(r.pid, Child{std::move(spec), std::move(args), false, 0});
    co_return Result::reply(r.to_term());
  }

  static Task<StartResult> call_start(Process& self, const ChildSpec& spec, const std::vector<Term>& args) {
    try {
      co_return checked_start(co_await spec.start(self, args));
    } catch (...) {
      rethrow_if_exit_signal(std::current_exception());
      co_return StartResult::error(exit_reason_of(std::current_exception()));
    }
  }

  // false = intensity exceeded: the supervisor shuts down.
  Task<bool> restart(Process& self, Pid old) {
    if (restarts_.record(self.now_ms()) > opts_.max_restarts) {
      report(self, "reached_max_restart_intensity", old, reasons::shutdown());
      children_.erase(old);
      co_return false;
    }
    Child c = std::move(children_.at(old));
    children_.erase(old);
    StartResult r = co_await call_start(self, *c.spec, c.args);
    if (r.kind == StartResult::Kind::ok) {
      c.restarting = false;
      ++c.restarts;
      children_.emplace(r.pid, std::move(c));
    } else if (r.kind == StartResult::Kind::error) {
      report(self, "start_error", old, r.reason);
      c.restarting = true;
      children_.emplace(old, std::move(c));
      self.send(self.self(), TryAgain{old});
    }
    co_return true;  // ignore on restart: the child is dropped
  }

  // S40: signal every child first, then wait for all of them (no order among them).
  Task<void> terminate_all(Process& self, std::vector<Pid> pids) {
    std::map<Ref, Pid> waiting;
    std::map<Pid, Ref> kill_timers;  // cancelled as children go: none outlives the shutdown
    for (Pid p : pids) {
      const Child& c = children_.at(p);
      Shutdown how = effective_shutdown(c.spec->shutdown, c.spec->type);
      waiting.emplace(self.monitor(p), p);
      self.exit(p, how.kind == Shutdown::Kind::brutal_kill ? reasons::kill() : reasons::shutdown());
      if (how.kind == Shutdown::Kind::timeout) kill_timers.emplace(p, self.send_after(self.self(), KillTimer{p}, how.ms));
    }
    std::set<Pid> gone;
    while (!waiting.empty()) {
      auto m = co_await self.receive([&waiting](const Message& m) {
        if (const auto* d = m.get<DownMsg>()) return waiting.contains(d->ref);
        return m.is<KillTimer>();
      });
      if (const auto* k = m->get<KillTimer>()) {
        if (!gone.contains(k->pid)) self.exit(k->pid, reasons::kill());
        continue;
      }
      const auto* d = m->get<DownMsg>();
      gone.insert(d->pid);
      if (auto t = kill_timers.find(d->pid); t != kill_timers.end()) self.cancel_timer(t->second);
      self.unlink(d->pid);
      waiting.erase(d->ref);
    }
    for (Pid p : pids)  // the links' EXITs arrived before the DOWNs: flush them
      co_await self.receive(exit_from(p), 0);
  }

  void report(Process& self, const char* what, Pid pid, const Term& reason) {
    if (auto* t = self.trace())
      t->emit("supervisor", {{"sup", Term(self.self()).to_string()}, {"report", what},
                             {"pid", Term(pid).to_string()}, {"reason", reason.to_string()}});
  }

  Options opts_;
  // By pid: ordered, so iteration is deterministic. An entry comes and goes with every task a
  // Task.Supervisor runs: its nodes come from the block cache.
  std::map<Pid, Child, std::less<>, block_cache::Allocator<std::pair<const Pid, Child>>> children_;
  RestartWindow restarts_;
};

Task<Term> ask(Process& self, ServerRef sup, Req req) {
  Message m = co_await gen_server::call(self, std::move(sup), std::move(req), infinity);
  co_return *m.get<Term>();
}

}  // namespace

Task<StartResult> start_link(Process& self, Options opts, gen_server::StartOptions name) {
  co_return co_await gen_server::start_link(self, [opts] { return std::make_unique<DynamicServer>(opts); }, name);
}

Task<StartResult> start_link(Process& self, Options opts) {
  gen_server::StartOptions none;
  co_return co_await start_link(self, std::move(opts), none);
}

namespace {
Task<Term> ready(Term t) { co_return t; }
}  // namespace

// Not a coroutine: a valid spec goes straight to the call (every Task.Supervisor task comes
// through here, and a frame that only awaits another is ~200 instructions).
Task<Term> start_child(Process& self, ServerRef sup, ChildSpec spec) {
  // Validated in the caller, before the call, as Elixir's start_child does.
  if (!spec.start)  // Elixir 1.14: {error, {invalid_child_spec, Spec}}
    return ready(tuple(atom("error"), tuple(atom("invalid_child_spec"),
                                         list(tuple(atom("start"), atom("undefined")), tuple(atom("restart"), atom(to_string(spec.restart))),
                                              tuple(atom("shutdown"), to_term(effective_shutdown(spec.shutdown, spec.type))),
                                              tuple(atom("type"), atom(to_string(spec.type)))))));
  if (auto bad = check_shutdown(spec.shutdown)) return ready(tuple(atom("error"), *bad));
  return ask(self, std::move(sup),
             Req{Req::Op::start, std::allocate_shared<const ChildSpec>(block_cache::Allocator<ChildSpec>{}, std::move(spec)), {}});
}
namespace detail {
Term StartChildCall::await_resume() {
  Message m = call_.await_resume();
  return std::move(*m.get_mut<Term>());
}

StartChildCall start_child_call(Process& self, ServerRef sup, std::shared_ptr<const ChildSpec> spec) {
  assert(spec->start && !check_shutdown(spec->shutdown));
  return StartChildCall(gen_server::call(self, std::move(sup), Req{Req::Op::start, std::move(spec), {}}, infinity));
}
}  // namespace detail

Task<Term> terminate_child(Process& self, ServerRef sup, Pid child) {
  return ask(self, std::move(sup), Req{Req::Op::terminate, nullptr, child});
}
Task<Term> which_children(Process& self, ServerRef sup) {
  return ask(self, std::move(sup), Req{Req::Op::which, nullptr, {}});
}
Task<Term> count_children(Process& self, ServerRef sup) {
  return ask(self, std::move(sup), Req{Req::Op::count, nullptr, {}});
}

}  // namespace otp::dynamic_supervisor
