#include <otpsim/core/behaviours/gen_server.hpp>

#include <stdexcept>

#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/behaviours/registry_names.hpp>

namespace otp {

// ---------------------------------------------------------------- default callbacks

Task<InitResult> GenServer::init(Process&) { co_return InitResult::ok(); }

// Elixir 1.14's defaults raise a RuntimeError naming the server (measured: the server exits
// {%RuntimeError{message: "attempted to call GenServer #PID<0.120.0> but no handle_call/3
// clause was provided"}, stack}); a C++ exception is {error, What}.
namespace {
[[noreturn]] void no_clause(Process& self, const char* verb, const char* callback) {
  const std::string& name = self.registered_name();
  std::string pid = Term(self.self()).to_string();  // <0.N.0>, as Elixir inspects it: #PID<0.N.0>
  throw std::runtime_error(std::string("attempted to ") + verb + " GenServer " + (name.empty() ? "#PID" + pid : ":" + name) +
                           " but no " + callback + " clause was provided");
}
}  // namespace

Task<Result> GenServer::handle_call(Process& self, Message, From) {
  no_clause(self, "call", "handle_call/3");
  co_return Result::noreply();
}

Task<Result> GenServer::handle_cast(Process& self, Message) {
  no_clause(self, "cast", "handle_cast/2");
  co_return Result::noreply();
}

Task<Result> GenServer::handle_info(Process&, Message) { co_return Result::noreply(); }

Task<Result> GenServer::handle_continue(Process&, Message cont) {
  throw Exit(tuple(atom("bad_continue"), cont.to_term()));
  co_return Result::noreply();
}

Task<void> GenServer::terminate(Process&, Term) { co_return; }
Term GenServer::format_state(Process&) { return atom("undefined"); }

std::optional<Result> GenServer::try_handle_call(Process&, Message&, From) { return std::nullopt; }
std::optional<Result> GenServer::try_handle_cast(Process&, Message&) { return std::nullopt; }
std::optional<Result> GenServer::try_handle_info(Process&, Message&) { return std::nullopt; }

Term Name::to_term() const {
  if (!via_registry.empty())
    return tuple(atom("via"), atom("Elixir.Registry"), tuple(atom(via_registry), key));
  return local.empty() ? atom("undefined") : atom(local);  // no pid and no name: Erlang's undefined
}

namespace {

struct InitAck {
  Ref ref;
  StartResult result;
  Term to_term() const { return tuple(atom("ack"), ref, result.to_term()); }
};

struct SysStop {
  Term reason;
  Term to_term() const { return tuple(atom("system"), atom("terminate"), reason); }
};

// sys: {system, From, Request}, answered as a call is, to the caller's alias.
struct SysRequest {
  enum class Op : uint8_t { get_state, trace_on, trace_off } op;
  Pid from;
  Ref ref;
  sys::TraceReport report;
  Term to_term() const {
    const char* names[] = {"get_state", "trace_on", "trace_off"};
    return tuple(atom("system"), tuple(from, ref), atom(names[static_cast<int>(op)]));
  }
};

// The server's main loop. A crash in a callback, a {stop,...} return, or (when trapping
// exits) the parent's EXIT runs terminate and ends the process with that reason (S12).
class ServerLoop {
 public:
  ServerLoop(Process& self, std::unique_ptr<GenServer> impl) : self_(self), impl_(std::move(impl)) {}

  Proc run(Pid starter, Ref ack_ref, Name name) {
    if (!name.empty()) {
      // Refused: {already_started, Holder}, Holder `undefined` for the name undefined (nobody
      // can hold it); this process exits normal, as gen's does (a trapping start_link caller
      // gets its EXIT, measured on OTP 25: tools/beam_diff/undefined_start.erl).
      if (auto holder = co_await names::register_self(self_, name)) {
        ack(starter, ack_ref, StartResult::error(tuple(atom("already_started"), *holder)));
        self_.exit(reasons::normal());
      }
    }
    // An init that fails gives its name up before the starter hears of it, as gen does
    // (gen:unregister_name, then proc_lib:init_ack): a start right after it under the same
    // name is never refused for a holder that is only dying (measured on OTP 25).
    InitResult init;
    std::optional<Term> crashed;
    try {
      init = co_await impl_->init(self_);
    } catch (const ExitSignal& e) {  // it ends at once: its exit frees the name
      ack(starter, ack_ref, StartResult::error(e.reason()));
      throw;
    } catch (...) {
      crashed = exit_reason_of(std::current_exception());
    }
    if (crashed) {
      co_await names::unregister_self(self_, name);
      ack(starter, ack_ref, StartResult::error(*crashed));
      throw Exit(*crashed);
    }
    if (init.kind == InitResult::Kind::ignore) {
      co_await names::unregister_self(self_, name);
      ack(starter, ack_ref, StartResult::ignore());
      self_.exit(reasons::normal());
    }
    if (init.kind == InitResult::Kind::stop) {
      co_await names::unregister_self(self_, name);
      ack(starter, ack_ref, StartResult::error(init.reason));
      self_.exit(init.reason);
    }
    ack(starter, ack_ref, StartResult::ok(self_.self()));
    timeout_ = init.timeout;
    cont_ = std::move(init.continue_with);
    co_await loop();
  }

 private:
  void ack(Pid starter, Ref ref, StartResult r) {
    if (starter) self_.send(starter, InitAck{ref, std::move(r)});
  }

  Task<void> loop() {
    for (;;) {
      // Why the server stops, once a callback returned stop (or a reply outside a call).
      std::optional<Term> stop;
      std::exception_ptr crash;
      try {
        if (cont_) {
          Message c = std::move(*cont_);
          cont_.reset();
          finish(co_await impl_->handle_continue(self_, std::move(c)), nullptr, stop);
        } else {
          auto msg = co_await self_.receive_any(timeout_);
          if (!msg) msg.emplace(atom("timeout"));  // the timeout is an info message
          // A callback's Result is finished where it was returned: no move into a loop variable.
          if (tracing_) report_in(*msg);
          if (msg->envelope() == Envelope::call) {
            EnvelopeHeader h = msg->header();
            const From caller{h.from, h.ref};
            Message request = std::move(*msg).open();
            if (auto now = impl_->try_handle_call(self_, request, caller)) finish(std::move(*now), &caller, stop);
            else finish(co_await impl_->handle_call(self_, std::move(request), caller), &caller, stop);
          } else if (msg->envelope() == Envelope::cast) {
            Message request = std::move(*msg).open();
            if (auto now = impl_->try_handle_cast(self_, request)) finish(std::move(*now), nullptr, stop);
            else finish(co_await impl_->handle_cast(self_, std::move(request)), nullptr, stop);
          } else if (auto* sys = msg->get<SysStop>()) {
            stop.emplace(sys->reason);
          } else if (auto* req = msg->get<SysRequest>()) {
            answer(*req);
          } else if (const auto* ex = msg->get<ExitMsg>();
                     ex && ex->from == parent() && self_.trapping_exits()) {
            stop.emplace(ex->reason);  // S12: the parent's EXIT never reaches handle_info
          } else if (auto now = impl_->try_handle_info(self_, *msg)) {
            finish(std::move(*now), nullptr, stop);
          } else {
            finish(co_await impl_->handle_info(self_, std::move(*msg)), nullptr, stop);
          }
        }
      } catch (...) {
        rethrow_if_exit_signal(std::current_exception());  // no terminate (S2)
        crash = std::current_exception();
      }
      if (crash) co_await terminate_and_exit(exit_reason_of(crash));
      if (stop) co_await terminate_and_exit(std::move(*stop));
    }
  }

  // What a callback's Result asks for: the reply sent (to a call's caller), the next timeout and
  // continue set; `stop` set to the reason if it stops. A reply outside a call (handle_cast,
  // handle_info, handle_continue answering reply or stop-with-reply) stops the server with OTP's
  // {bad_return_value, Return}, the state left out: {reply, V} or {stop, R, V} (S12).
  void answer(const SysRequest& req) {
    Term a = atom("ok");
    switch (req.op) {
      case SysRequest::Op::get_state: a = impl_->format_state(self_); break;
      case SysRequest::Op::trace_on:
        tracing_ = true;
        report_ = req.report;
        break;
      case SysRequest::Op::trace_off:
        tracing_ = false;
        report_ = {};
        break;
    }
    gen_server::reply(self_, From{req.from, req.ref}, Message(std::move(a)));
  }

  // sys:trace's lines: what the server takes and what it replies.
  void report_line(const std::string& what) {
    if (auto* t = self_.trace()) t->emit("sys", {{"pid", Term(self_.self()).to_string()}, {"what", what}});
    if (report_) report_(Term(self_.self()).to_string() + " " + what);
  }
  void report_in(const Message& m) {
    if (m.get<SysRequest>()) return;
    if (m.envelope() == Envelope::call) report_line("got call " + m.to_term()[2].to_string() + " from " + Term(m.header().from).to_string());
    else if (m.envelope() == Envelope::cast) report_line("got cast " + m.to_term()[1].to_string());
    else report_line("got " + m.to_term().to_string());
  }

  void finish(Result&& res, const From* caller, std::optional<Term>& stop) {
    if (!caller && (res.kind == Result::Kind::reply || (res.kind == Result::Kind::stop && res.reply_value))) {
      Term v = res.reply_value ? res.reply_value->to_term() : atom("undefined");
      stop.emplace(tuple(atom("bad_return_value"), res.kind == Result::Kind::reply ? tuple(atom("reply"), std::move(v))
                                                                                    : tuple(atom("stop"), std::move(res.reason), std::move(v))));
      return;
    }
    if (res.kind == Result::Kind::reply || (res.kind == Result::Kind::stop && res.reply_value)) {
      if (caller && tracing_) report_line("sent " + res.reply_value->to_term().to_string() + " to " + Term(caller->pid).to_string());
      // {stop, R, Reply, S}: OTP runs terminate first and replies after it (even if it raises).
      if (caller && res.kind == Result::Kind::stop) reply_after_terminate_.emplace(*caller, std::move(*res.reply_value));
      else gen_server::reply(self_, *caller, std::move(*res.reply_value));
    }
    if (res.kind == Result::Kind::stop) stop.emplace(std::move(res.reason));
    if (stop) return;
    timeout_ = res.timeout;
    if (res.continue_with) cont_ = std::move(res.continue_with);  // cont_ is empty here
  }

  // As gen:start: a server started without a link is its own parent, so the EXIT of an
  // exit(self(), R) it sends itself while trapping stops it too.
  Pid parent() const { return self_.parent() ? self_.parent() : self_.self(); }

  Task<void> terminate_and_exit(Term reason) {
    try {
      co_await impl_->terminate(self_, reason);
    } catch (...) {
      rethrow_if_exit_signal(std::current_exception());
      reason = exit_reason_of(std::current_exception());  // a crashing terminate wins, as in OTP
    }
    if (reply_after_terminate_) gen_server::reply(self_, reply_after_terminate_->first, std::move(reply_after_terminate_->second));
    throw Exit(reason);
  }

  Process& self_;
  std::unique_ptr<GenServer> impl_;
  Timeout timeout_ = infinity;        // of the next receive: handle_info(timeout) when it passes
  std::optional<Message> cont_;       // a {continue, C} to run before the next message
  std::optional<std::pair<From, Message>> reply_after_terminate_;  // {stop, R, Reply, S}
  bool tracing_ = false;              // sys::trace on
  sys::TraceReport report_;
};

Task<StartResult> do_start(Process& self, ServerFactory factory, gen_server::StartOptions opts,
                           bool link) {
  // As gen:start: a name already held by a live process is refused before anything is
  // spawned (no process to start, no EXIT for a trapping caller); one taken in between is
  // refused by the new server's own registration below.
  if (!opts.name.empty())
    if (Pid holder = co_await names::whereis(self, opts.name); holder && self.node().alive(holder))
      co_return StartResult::error(tuple(atom("already_started"), holder));
  Ref ack_ref = self.make_ref();
  Pid starter = self.self();
  Body body = [factory = std::move(factory), starter, ack_ref,
               name = opts.name](Process& p) -> Proc {
    // A factory that makes no server crashes the new process before its init, as a callback
    // module that is not there does in OTP ({error, {undef, ...}}): the start returns {error, R}
    // with R naming the cause, where it would otherwise dereference nothing.
    if (!factory) throw UsageError("gen_server: the ServerFactory is empty");
    std::unique_ptr<GenServer> impl = factory();
    if (!impl) throw UsageError("gen_server: the ServerFactory returned no server (a null pointer)");
    ServerLoop server(p, std::move(impl));
    co_await server.run(starter, ack_ref, name);
  };
  // A server started without a link is its own parent (ServerLoop::parent). Without a link the
  // starter monitors it, as OTP 25's proc_lib:start does (spawn_opt [monitor]): a server killed
  // from outside during init gives {error, Reason}, not a starter waiting for good (measured).
  Pid parent = link ? self.self() : Pid{};
  Ref mon = link ? Ref{} : self.make_ref();
  Pid pid = self.node().spawn(std::move(body), {.link_to = parent, .monitor_by = link ? Pid{} : self.self(), .monitor_ref = mon,
                                                .parent = parent, .apart = opts.apart});
  auto m = co_await self.receive(
      [ack_ref, pid, link, mon](const Message& m) {
        if (const auto* a = m.get<InitAck>()) return a->ref == ack_ref;
        if (link) {
          const auto* e = m.get<ExitMsg>();
          return e && e->from == pid;
        }
        const auto* d = m.get<DownMsg>();
        return d && d->ref == mon;
      },
      opts.timeout);
  if (!link && !(m && m->get<DownMsg>())) self.demonitor(mon, true);  // an ack or a timeout: its DOWN must not stay behind
  if (!m) {
    if (link) self.unlink(pid);
    self.exit(pid, reasons::kill());
    co_return StartResult::error(atom("timeout"));
  }
  if (const auto* a = m->get<InitAck>()) co_return a->result;
  if (const auto* d = m->get<DownMsg>()) co_return StartResult::error(d->reason);
  co_return StartResult::error(m->get<ExitMsg>()->reason);
}

// What a call waits for: the reply to its alias `mref` (made with the monitor) or its DOWN.
auto reply_or_down(Ref mref) {
  return [mref](const Message& m) {
    if (m.envelope() == Envelope::reply) return m.header().ref == mref;
    if (const auto* d = m.get<DownMsg>()) return d->ref == mref;
    return false;
  };
}
auto reply_to(Ref mref) {
  return [mref](const Message& m) { return m.envelope() == Envelope::reply && m.header().ref == mref; };
}

Term call_reason(Term why, const ServerRef& server, const Message& request, Timeout timeout) {
  Term t = timeout_term(timeout);
  return tuple(std::move(why),
               tuple(atom("Elixir.GenServer"), atom("call"), list(server.to_term(), request.to_term(), t)));
}

}  // namespace

namespace gen_server {

Task<StartResult> start_link(Process& self, ServerFactory factory, StartOptions opts) {
  return do_start(self, std::move(factory), opts, true);
}

Task<StartResult> start(Process& self, ServerFactory factory, StartOptions opts) {
  return do_start(self, std::move(factory), opts, false);
}

Task<StartResult> start_link(Process& self, ServerFactory factory) {
  return do_start(self, std::move(factory), StartOptions{}, true);
}

Task<StartResult> start(Process& self, ServerFactory factory) {
  return do_start(self, std::move(factory), StartOptions{}, false);
}

Task<void> stop(Process& self, ServerRef server) {
  return stop(self, std::move(server), atom("normal"), infinity);
}

Task<Pid> whereis(Process& self, const ServerRef& server) {
  if (server.pid) co_return server.pid;
  co_return co_await names::whereis(self, server.name);
}

Task<Message> call(Process& self, ServerRef server, Message request, Timeout timeout) {
  checked_timeout(timeout, "GenServer.call");
  Pid pid = server.pid ? server.pid : co_await whereis(self, server);  // no frame for a pid
  if (!pid) throw Exit(call_reason(reasons::noproc(), server, request, timeout));
  if (pid == self.self()) throw Exit(call_reason(atom("calling_self"), server, request, timeout));  // would deadlock
  Ref mref = self.monitor(pid);
  size_t mark = self.receive_mark();  // nothing before it can carry mref
  self.activate_alias(mref);
  self.send(pid, Message(request).seal(Envelope::call, {self.self(), mref}));  // kept for an exit reason
  auto m = co_await self.receive_after(mark, reply_or_down(mref), timeout);
  self.deactivate_alias(mref);  // from here on a late reply is dropped (S11)
  if (!m) {
    self.demonitor(mref, true);
    // As gen:do_call: a reply that landed after the timer fired but before the caller ran is
    // taken (`receive {[alias|Mref], Reply} after 0`); it must not stay in the mailbox.
    m = co_await self.receive_after(mark, reply_to(mref), 0);
    if (!m) throw Exit(call_reason(atom("timeout"), server, request, timeout));
    co_return std::move(*m).open();
  }
  if (m->envelope() == Envelope::reply) {
    self.demonitor(mref, true);
    co_return std::move(*m).open();
  }
  throw Exit(call_reason(m->get<DownMsg>()->reason, server, request, timeout));
}

void cast(Process& self, ServerRef server, Message request) {
  Message cast = std::move(request).seal(Envelope::cast, {});
  if (server.pid) {
    self.send(server.pid, std::move(cast));
    return;
  }
  if (!server.name.local.empty()) {
    if (Pid p = self.whereis(server.name.local)) self.send(p, std::move(cast));
    return;  // a cast to a name that is not registered is silently dropped, as in OTP
  }
  names::send_via(self, server.name, std::move(cast));
}

void reply(Process& self, const From& to, Message value) {
  Signal s;
  s.kind = SignalKind::reply;
  s.from = self.self();
  s.to = to.pid;
  s.ref = to.ref;
  s.msg = std::move(value);
  self.node().executor().send(std::move(s));
}

// As Elixir 1.14's GenServer.stop: proc_lib:stop's failure (noproc, timeout, or the reason the
// server exited with instead), wrapped as {Why, {GenServer, stop, [Server, Reason, Timeout]}}.
Task<void> stop(Process& self, ServerRef server, Term reason, Timeout timeout) {
  checked_timeout(timeout, "GenServer.stop");
  auto fail = [&](Term why) {
    Term t = timeout_term(timeout);
    return Exit(tuple(std::move(why), tuple(atom("Elixir.GenServer"), atom("stop"), list(server.to_term(), reason, t))));
  };
  Pid pid = server.pid ? server.pid : co_await whereis(self, server);  // no frame for a pid
  if (!pid) throw fail(reasons::noproc());
  if (pid == self.self()) throw fail(atom("calling_self"));  // would wait for its own exit
  Ref mref = self.monitor(pid);
  self.send(pid, SysStop{reason});
  auto m = co_await self.receive(down_of(mref), timeout);
  if (!m) {
    self.demonitor(mref, true);
    throw fail(atom("timeout"));
  }
  const Term& got = m->get<DownMsg>()->reason;
  if (got != reason) throw fail(got);  // noproc included: it was gone before the stop arrived
}

}  // namespace gen_server
namespace sys {
namespace {

// A system request: monitored like a call; a server that is gone or does not answer makes the
// caller exit with {noproc | timeout, {sys, Function, [Server]}}.
// `what` is "sys:<function>", as the BEAM names it in the exit reason.
Task<Term> request(Process& self, const ServerRef& server, SysRequest::Op op, TraceReport report, Timeout timeout, std::string_view what) {
  checked_timeout(timeout, what);
  const std::string_view fn = what.substr(what.find(':') + 1);
  auto reason = [&](Term why) { return tuple(std::move(why), tuple(atom("sys"), atom(fn), Term::list({server.to_term()}))); };
  Pid pid = server.pid ? server.pid : co_await gen_server::whereis(self, server);
  if (!pid) throw Exit(reason(reasons::noproc()));
  if (pid == self.self()) throw Exit(reason(atom("calling_self")));
  Ref mref = self.monitor(pid);
  size_t mark = self.receive_mark();
  self.activate_alias(mref);  // sys requests are gen:calls: a late answer is dropped
  self.send(pid, SysRequest{op, self.self(), mref, std::move(report)});
  auto m = co_await self.receive_after(mark, reply_or_down(mref), timeout);
  self.deactivate_alias(mref);
  if (!m) {
    self.demonitor(mref, true);
    m = co_await self.receive_after(mark, reply_to(mref), 0);  // landed before the caller ran
    if (!m) throw Exit(reason(atom("timeout")));
    co_return *std::move(*m).open().get<Term>();
  }
  if (m->envelope() == Envelope::reply) {
    self.demonitor(mref, true);
    co_return *std::move(*m).open().get<Term>();
  }
  const Term& why = m->get<DownMsg>()->reason;
  throw Exit(reason(why.is_atom("noproc") ? reasons::noproc() : why));
}

}  // namespace

Task<Term> get_state(Process& self, ServerRef server, Timeout timeout) {
  co_return co_await request(self, server, SysRequest::Op::get_state, {}, timeout, "sys:get_state");
}

Task<void> trace(Process& self, ServerRef server, bool on, TraceReport report, Timeout timeout) {
  co_await request(self, server, on ? SysRequest::Op::trace_on : SysRequest::Op::trace_off, std::move(report), timeout, "sys:trace");
}

}  // namespace sys
}  // namespace otp
