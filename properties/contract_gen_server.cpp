// contracts, GenServer: init results (S10), terminate and stop (S12), callback timeouts (S10),
// start timeouts and names (S10, S7), casts by name and calls that fail (S11).
#include <memory>
#include <stdexcept>

#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/properties/failing_init.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/properties/contract_probe.hpp>

namespace otp::properties::contract {
namespace {

struct Plan {
  enum class Init : uint8_t { ok, stop, ignore, continue_with, slow, self_send_then_timeout_0, timeout } init = Init::ok;
  Term init_reason{};          // stop
  int64_t init_ms = 0;         // slow: init sleeps this long; timeout: init returns {ok, S, init_ms}
  std::optional<Term> terminate_throws{};
  bool trap = false;                        // traps exits (terminate runs on its parent's exit)
  std::shared_ptr<std::string> log{};       // terminate appends "terminate:<reason> "
  Pid notify{};                             // terminate sends it `terminated`
  int64_t terminate_ms = 0;                 // terminate takes this long
};

// Counts what happens to it: casts (inc), info timeouts, whether handle_continue ran first.
class Server : public GenServer {
 public:
  explicit Server(Plan plan) : plan_(std::move(plan)) {}
  Task<InitResult> init(Process& self) override {
    switch (plan_.init) {
      case Plan::Init::stop: co_return InitResult::stop(plan_.init_reason);
      case Plan::Init::ignore: co_return InitResult::ignore();
      case Plan::Init::continue_with: co_return InitResult::ok_continue(atom("warm"));
      case Plan::Init::slow: co_await self.sleep(plan_.init_ms); break;
      case Plan::Init::self_send_then_timeout_0:  // the `send(self(), :connect)` + `{:ok, s, 0}` idiom
        self.send(self.self(), atom("connect"));
        co_return InitResult::ok_timeout(0);
      case Plan::Init::timeout: co_return InitResult::ok_timeout(plan_.init_ms);
      case Plan::Init::ok: break;
    }
    if (plan_.trap) self.trap_exit(true);
    co_return InitResult::ok();
  }
  Task<Result> handle_continue(Process&, Message c) override {
    state_ = c.to_term().to_string();
    co_return Result::noreply();
  }
  Task<Result> handle_call(Process& self, Message req, From) override {
    Term t = req.to_term();
    if (t.is_tuple(2) && t[0].is_atom("exit_self")) {  // exit(self(), R)
      self.exit(self.self(), t[1]);
      co_return Result::reply(atom("still_here"));
    }
    if (t.is_tuple(2) && t[0].is_atom("reply_after")) co_return Result::reply(atom("ok")).after(t[1].integer_value());
    if (t.is_atom("state")) co_return Result::reply(atom(state_));
    if (t.is_atom("counts")) co_return Result::reply(tuple(integer(casts_), integer(timeouts_)));
    if (t.is_atom("continue_after_reply")) co_return Result::reply(atom("ok")).then(atom("warm_again"));
    if (t.is_atom("stop_with_reply")) co_return Result::stop(atom("normal"), atom("stopped"));
    if (t.is_atom("raise")) throw Exit(atom("raised_in_call"));
    if (t.is_atom("never")) co_return Result::noreply();  // no reply, ever
    co_return Result::reply(atom("ok"));
  }
  Task<Result> handle_cast(Process&, Message req) override {
    Term t = req.to_term();
    if (t.is_tuple(2) && t[0].is_atom("stop")) co_return Result::stop(t[1]);
    if (t.is_atom("raise")) throw std::runtime_error("raised in cast");
    ++casts_;
    co_return Result::noreply();
  }
  Task<Result> handle_info(Process&, Message m) override {
    if (m.to_term().is_atom("timeout")) ++timeouts_;
    if (m.to_term().is_atom("connect") && timeouts_ == 0) state_ = "connected_first";
    co_return Result::noreply();
  }
  Task<void> terminate(Process& self, Term reason) override {
    if (plan_.log) *plan_.log += "terminate:" + reason.to_string() + " ";
    if (plan_.notify) self.send(plan_.notify, atom("terminated"));
    if (plan_.terminate_throws) throw Exit(*plan_.terminate_throws);
    if (plan_.terminate_ms > 0) co_await self.sleep(plan_.terminate_ms);
  }

 private:
  Plan plan_;
  std::string state_ = "cold";
  int64_t casts_ = 0, timeouts_ = 0;
};

ServerFactory factory(Plan plan) {
  return [plan] { return std::make_unique<Server>(plan); };
}

// S10: init {stop,R}: start_link gives {error,R} and the server exits R, so a non-trapping
// caller dies with R; init ignore: start_link gives ignore and the caller lives on.
void init_result(Probe& p) {
  bool stop = p.chance("init_stops");
  Term why = p.pick("reason", std::vector<Term>{atom("boom"), atom("shutdown"), tuple(atom("bad"), integer(1))});
  bool trap = p.chance("caller_traps");
  p.run([&](Process& self) -> Proc {
    Plan plan{.init = stop ? Plan::Init::stop : Plan::Init::ignore, .init_reason = why};
    Pid parent = self.self();
    auto [caller, cm] = self.spawn_monitor([&, parent](Process& me) -> Proc {
      me.trap_exit(trap);
      StartResult r = co_await gen_server::start_link(me, factory(plan));
      me.send(parent, tuple(atom("result"), r.to_term()));
      co_await me.sleep(5);
    });
    auto down = co_await self.receive(down_of(cm));
    Term reason = down->get<DownMsg>()->reason;
    if (stop && !trap) {
      p.expect("the non-trapping caller's exit reason", reason, why);
    } else {
      p.expect("the caller's exit reason", reason, atom("normal"));
      auto r = co_await self.receive_any(0);
      p.expect("start_link's result", r ? r->to_term()[1] : atom("none"), stop ? tuple(atom("error"), why) : atom("ignore"));
    }
  });
}

// S12: a terminate that raises replaces the exit reason; gen_server:stop then exits its caller
// with that reason (proc_lib:stop), and a {stop,R} from a callback ends the server with it too.
void terminate_raises(Probe& p) {
  Term thrown = p.pick("terminate_raises", std::vector<Term>{atom("from_terminate"), tuple(atom("shutdown"), atom("t"))});
  bool via_stop = p.chance("gen_server_stop");
  bool by_call = !via_stop && p.chance("a_call_returns_stop_with_a_reply");
  Term asked = p.pick("stop_reason", std::vector<Term>{atom("normal"), atom("shutdown"), atom("boom")});
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Plan plan{.terminate_throws = thrown};
    Pid srv = (co_await gen_server::start_link(self, factory(plan))).pid;
    Ref m = self.monitor(srv);
    if (by_call) {
      // {stop, R, Reply, S}: OTP replies after terminate even when terminate raises (its
      // reply is sent in an `after`), and the server exits with what terminate raised.
      Term got;
      try {
        got = (co_await gen_server::call(self, srv, atom("stop_with_reply"))).to_term();
      } catch (const Exit& e) {
        got = tuple(atom("call_exited"), e.reason());
      }
      p.expect("the call's reply when terminate raises", got, atom("stopped"));
    } else if (via_stop) {
      Term got = atom("returned");
      try {
        co_await gen_server::stop(self, srv, asked);
      } catch (const Exit& e) {
        got = e.reason();
      }
      p.expect("GenServer.stop's outcome", got,
               tuple(thrown, tuple(atom("Elixir.GenServer"), atom("stop"), list(Term(srv), asked, atom("infinity")))));
    } else {
      gen_server::cast(self, srv, Message(tuple(atom("stop"), asked)));
    }
    auto down = co_await self.receive(down_of(m));
    p.expect("the server's exit reason", down->get<DownMsg>()->reason, thrown);
  });
}

// S10: every callback result sets the next timeout; one without a timeout clears it.
void callback_timeout(Probe& p) {
  int64_t t = p.ms("timeout_ms", 2, 40);
  bool cleared = p.chance("next_reply_clears_it");
  p.run([&](Process& self) -> Proc {
    Pid srv = (co_await gen_server::start_link(self, factory({}))).pid;
    co_await gen_server::call(self, srv, tuple(atom("reply_after"), integer(t)));
    if (cleared) co_await gen_server::call(self, srv, atom("plain"));
    co_await self.sleep(3 * t + 5);
    Message counts = co_await gen_server::call(self, srv, atom("counts"));
    p.expect("timeouts seen", counts.to_term()[1], integer(cleared ? 0 : 1));
    self.unlink(srv);
    self.exit(srv, atom("kill"));
  });
}

// S10: init's {ok, S, Timeout} arms the timeout as a callback's does: with no message meanwhile,
// handle_info(timeout) runs at Timeout, and not before.
void init_timeout(Probe& p) {
  int64_t t = p.ms("timeout_ms", 2, 40);
  bool early = p.chance("look_before_it");
  p.run([&](Process& self) -> Proc {
    Pid srv = (co_await gen_server::start_link(self, factory({.init = Plan::Init::timeout, .init_ms = t}))).pid;
    co_await self.sleep(early ? t - 1 : t + 1);
    Message counts = co_await gen_server::call(self, srv, atom("counts"));
    p.expect(early ? "timeouts seen before it" : "timeouts seen after it", counts.to_term()[1], integer(early ? 0 : 1));
    self.unlink(srv);
    self.exit(srv, atom("kill"));
  });
}

// S11: a call's default timeout is 5000 ms: to a server that never replies, the caller exits
// {timeout, {GenServer, call, [Server, Request, 5000]}} at 5000 ms.
void call_default_timeout(Probe& p) {
  bool by_name = p.chance("by_name");
  Term reason;
  int64_t waited = -1;
  Pid srv;
  p.run([&](Process& self) -> Proc {
    srv = (co_await gen_server::start_link(self, factory({}), {.name = {.local = "srv"}})).pid;
    int64_t t0 = self.now_ms();
    auto [caller, m] = self.spawn_monitor([by_name, &srv](Process& me) -> Proc {
      if (by_name) co_await gen_server::call(me, "srv", atom("never"));
      else co_await gen_server::call(me, srv, atom("never"));
    });
    reason = (co_await self.receive(down_of(m)))->get<DownMsg>()->reason;
    waited = self.now_ms() - t0;
    self.unlink(srv);
    self.exit(srv, atom("kill"));
  });
  Term target = by_name ? atom("srv") : Term(srv);
  p.expect("the caller's exit reason", reason,
           tuple(atom("timeout"), tuple(atom("Elixir.GenServer"), atom("call"), Term::list({target, atom("never"), integer(5000)}))));
  p.expect("when it exited (ms)", waited, 5000);
}

// S12: GenServer.stop with a timeout waits for the server to end: it returns ok when terminate
// ends in time, and exits {timeout, {GenServer, stop, [Server, Reason, Timeout]}} at the timeout
// when terminate takes longer.
void stop_timeout(Probe& p) {
  int64_t slow = p.ms("terminate_ms", 2, 40);
  bool in_time = p.chance("terminate_ends_in_time");
  int64_t limit = in_time ? p.ms("timeout_ms", slow + 1, slow + 30) : p.ms("timeout_ms", 1, slow - 1);
  Term got;
  int64_t waited = -1;
  Pid srv;
  p.run([&](Process& self) -> Proc {
    srv = (co_await gen_server::start(self, factory({.terminate_ms = slow}))).pid;
    int64_t t0 = self.now_ms();
    try {
      co_await gen_server::stop(self, srv, atom("normal"), limit);
      got = atom("ok");
    } catch (const Exit& e) {
      got = e.reason();
    }
    waited = self.now_ms() - t0;
    co_await self.sleep(slow);
    // proc_lib:stop demonitors with flush when it times out: the server's DOWN, which comes
    // when its terminate ends, never reaches the caller.
    p.expect("messages left to the caller", static_cast<int64_t>(self.mailbox_size()), 0);
  });
  p.expect("GenServer.stop", got,
           in_time ? atom("ok") : tuple(atom("timeout"), tuple(atom("Elixir.GenServer"), atom("stop"), list(Term(srv), atom("normal"), integer(limit)))));
  p.expect("when it returned (ms)", waited, in_time ? slow : limit);
}

// S10: start_link (or start) whose init outlasts the start timeout: {error,timeout} at the
// timeout, the server killed and unlinked first, so a non-trapping caller lives on; start's
// monitor is dropped with a flush (proc_lib:sync_start), so the killed server's DOWN never
// reaches the caller.
void start_timeout(Probe& p) {
  int64_t limit = p.ms("timeout_ms", 1, 30);
  int64_t slow = p.ms("init_ms", limit + 1, limit + 30);
  bool linked = p.chance("start_link");
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    auto [caller, cm] = self.spawn_monitor([&, parent](Process& me) -> Proc {
      int64_t t0 = me.now_ms();
      ServerFactory f = factory({.init = Plan::Init::slow, .init_ms = slow});
      StartResult r = linked ? co_await gen_server::start_link(me, f, {.timeout = limit}) : co_await gen_server::start(me, f, {.timeout = limit});
      int64_t took = me.now_ms() - t0;
      co_await me.sleep(slow + 10);
      me.send(parent, tuple(r.to_term(), integer(took), integer(static_cast<int64_t>(me.mailbox_size()))));
    });
    auto r = co_await self.receive([](const Message& m) { return !m.is<DownMsg>(); });
    p.expect("start's result", r->to_term()[0], tuple(atom("error"), atom("timeout")));
    p.expect("when it returned (ms)", r->to_term()[1], integer(limit));
    p.expect("messages left to the caller", r->to_term()[2], integer(0));
    auto down = co_await self.receive(down_of(cm));
    p.expect("the caller's exit reason", down->get<DownMsg>()->reason, atom("normal"));
  });
}

// S10: a server killed from outside while its init runs: start gives {error, killed} (OTP 25's
// proc_lib:start monitors the new process; start_link takes the EXIT of its link), and the
// starter's mailbox is left empty (measured: tools/beam_diff/gen_server_start_killed.erl).
void start_killed_in_init(Probe& p) {
  bool linked = p.chance("start_link");
  int64_t at = p.ms("killed_at_ms", 1, 20);  // the server has registered its name
  int64_t slow = p.ms("init_ms", at + 1, at + 30);
  p.run([&](Process& self) -> Proc {
    if (linked) self.trap_exit(true);
    self.spawn([at](Process& k) -> Proc {
      co_await k.sleep(at);
      k.exit(k.whereis("srv"), atom("kill"));
    });
    gen_server::StartOptions named{.name = {.local = "srv"}};
    ServerFactory f = factory({.init = Plan::Init::slow, .init_ms = slow});
    StartResult r = linked ? co_await gen_server::start_link(self, f, named) : co_await gen_server::start(self, f, named);
    p.expect("start's result", r.to_term(), tuple(atom("error"), atom("killed")));
    co_await self.sleep(1);
    p.expect("messages left to the starter", static_cast<int64_t>(self.mailbox_size()), 0);
  });
}

// S10 S7 S60: an init that fails (stop, ignore or a crash) gives its name up before the start
// returns, as gen does (gen:unregister_name, then the ack): right after it the name is free —
// whereis finds nobody, and a Registry key named {via, Registry, {Reg, Key}} is no longer listed
// by lookup or count — and a start under it succeeds (measured: 0 of 2,000 starts otherwise on
// OTP 25 / Elixir 1.14; tools/beam_diff/gen_server_name_freed.erl, via_name_freed.exs).
void failed_init_frees_name(Probe& p) {
  int how = static_cast<int>(p.ms("init_stop_ignore_or_crash", 0, 2));
  bool via = p.chance("via_registry");
  bool linked = p.chance("start_link");
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid reg;
    if (via) reg = (co_await registry::start_link(self, {.name = "reg", .keys = registry::Keys::unique})).pid;
    gen_server::StartOptions named{.name = via ? Name{.via_registry = "reg", .key = atom("k")} : Name{.local = "srv"}};
    ServerFactory failing = [how] { return std::make_unique<FailingInit>(how); };
    StartResult r = linked ? co_await gen_server::start_link(self, failing, named) : co_await gen_server::start(self, failing, named);
    p.expect("the failed start", r.to_term().is_tuple(2) && r.to_term()[1].is_pid(), false);
    if (via) {
      p.expect("lookup right after", static_cast<int64_t>((co_await registry::lookup(self, "reg", atom("k"))).size()), 0);
      p.expect("count right after", co_await registry::count(self, "reg"), 0);
      // A name left to go with the process's exit would still be listed only until the Registry
      // takes that EXIT, a narrow window: look into it a few more times.
      int64_t listed = 0;
      for (int64_t i = 0; i < 8; ++i) {
        gen_server::StartOptions other{.name = Name{.via_registry = "reg", .key = integer(i)}};
        if (linked) (void)co_await gen_server::start_link(self, failing, other);
        else (void)co_await gen_server::start(self, failing, other);
        listed += static_cast<int64_t>((co_await registry::lookup(self, "reg", integer(i))).size());
      }
      p.expect("entries listed right after 8 more failed starts", listed, 0);
    } else {
      p.expect("whereis right after", Term(self.whereis("srv")), Term(Pid{}));
    }
    StartResult again = co_await gen_server::start(self, factory({}), named);
    p.expect("a start under the name right after", again.to_term().is_tuple(2) && again.to_term()[0].is_atom("ok"), true);
    if (again.pid) co_await gen_server::stop(self, again.pid);
    if (reg) {
      self.unlink(reg);
      self.exit(reg, atom("shutdown"));
    }
  });
}

// S10 S7: a second start under a taken name: {error,{already_started,Holder}} (under `undefined`:
// {error,{already_started,undefined}}); casts and calls
// by name reach the holder; a call to a name nobody holds exits {noproc,{GenServer,call,...}}.
void by_name(Probe& p) {
  int64_t casts = p.ms("casts", 0, 5);
  int64_t t = p.ms("call_timeout_ms", 1, 9000);
  bool linked = p.chance("start_link");
  p.run([&](Process& self) -> Proc {
    gen_server::StartOptions named{.name = {.local = "srv"}};
    StartResult first = linked ? co_await gen_server::start_link(self, factory({}), named) : co_await gen_server::start(self, factory({}), named);
    StartResult second = co_await gen_server::start(self, factory({}), named);
    p.expect("the second start", second.to_term(), tuple(atom("error"), tuple(atom("already_started"), first.pid)));
    // `undefined` is no name: the new server's registration is refused and it exits normal before
    // its init; a trapping start_link caller gets that EXIT (measured on OTP 25).
    bool trapped = self.trap_exit(true);
    StartResult undef = co_await gen_server::start_link(self, factory({}), {.name = {.local = "undefined"}});
    p.expect("a start under the name undefined", undef.to_term(), tuple(atom("error"), tuple(atom("already_started"), atom("undefined"))));
    auto refused = co_await self.receive([](const Message& m) { return m.is<ExitMsg>(); }, 100);
    p.expect("the refused server's EXIT", refused ? refused->get<ExitMsg>()->reason : atom("none"), atom("normal"));
    self.trap_exit(trapped);
    for (int64_t i = 0; i < casts; ++i) gen_server::cast(self, "srv", Message(atom("inc")));
    gen_server::cast(self, "nobody", Message(atom("inc")));  // dropped, as in OTP
    Message counts = co_await gen_server::call(self, "srv", atom("counts"));
    p.expect("casts handled", counts.to_term()[0], integer(casts));
    Term got = atom("returned");
    try {
      co_await gen_server::call(self, "nobody", atom("ping"), t);
    } catch (const Exit& e) {
      got = e.reason();
    }
    p.expect("a call to an unregistered name",
             got, tuple(atom("noproc"), tuple(atom("Elixir.GenServer"), atom("call"), list(atom("nobody"), atom("ping"), integer(t)))));
    self.unlink(first.pid);
    self.exit(first.pid, atom("kill"));
  });
}

// S10: {ok,S,{continue,C}}: handle_continue runs before any message.
void init_continue(Probe& p) {
  bool call_first = p.chance("call_at_once");
  p.run([&](Process& self) -> Proc {
    Pid srv = (co_await gen_server::start_link(self, factory({.init = Plan::Init::continue_with}))).pid;
    if (!call_first) co_await self.sleep(1);
    Message s = co_await gen_server::call(self, srv, atom("state"));
    p.expect("state at the first call", s.to_term(), atom("warm"));
    self.unlink(srv);
    self.exit(srv, atom("kill"));
  });
}

// S5 S10: a message the server sent itself in init is handled before init's timeout of 0.
void init_self_send(Probe& p) {
  p.run([&](Process& self) -> Proc {
    Pid srv = (co_await gen_server::start_link(self, factory({.init = Plan::Init::self_send_then_timeout_0}))).pid;
    Message s = co_await gen_server::call(self, srv, atom("state"));
    p.expect("what the server handled first", s.to_term(), atom("connected_first"));
    self.unlink(srv);
    self.exit(srv, atom("kill"));
  });
}

// S10: a start under a name a live process holds is refused before anything is spawned, so a
// trapping caller gets no EXIT for it (gen:start, measured on OTP 25); GenServer.stop of
// oneself or of nobody exits {calling_self | noproc, {GenServer, stop, [S, R, T]}}.
void taken_name_and_bad_stops(Probe& p) {
  bool linked = p.chance("start_link");
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    gen_server::StartOptions named{.name = {.local = "held"}};
    Pid holder = (co_await gen_server::start(self, factory({}), named)).pid;
    StartResult again = linked ? co_await gen_server::start_link(self, factory({}), named) : co_await gen_server::start(self, factory({}), named);
    p.expect("the refused start", again.to_term(), tuple(atom("error"), tuple(atom("already_started"), holder)));
    co_await self.sleep(1);
    auto left = co_await self.receive_any(0);
    p.expect("the caller's mailbox after it", left ? left->to_term().to_string() : std::string("empty"), std::string("empty"));
    Term got = atom("returned");
    try {
      co_await gen_server::stop(self, "nobody");
    } catch (const Exit& e) {
      got = e.reason();
    }
    p.expect("GenServer.stop of nobody", got,
             tuple(atom("noproc"), tuple(atom("Elixir.GenServer"), atom("stop"), list(atom("nobody"), atom("normal"), atom("infinity")))));
    Pid me = self.self();
    auto [stopper, sm] = self.spawn_monitor([me](Process& q) -> Proc {
      co_await gen_server::stop(q, q.self());
      q.send(me, atom("returned"));
    });
    auto down = co_await self.receive(down_of(sm));
    p.expect("GenServer.stop of oneself", down->get<DownMsg>()->reason,
             tuple(atom("calling_self"), tuple(atom("Elixir.GenServer"), atom("stop"), list(Term(stopper), atom("normal"), atom("infinity")))));
    self.exit(holder, atom("kill"));
  });
}

// S12: terminate runs on a crash in a callback (with the crash's reason) and, for a server that
// traps exits, on its parent's exit (with the parent's reason, which the server then exits with:
// measured on Elixir); {stop, R, Reply, S} runs terminate before the reply is sent.
void terminate_runs(Probe& p) {
  int what = static_cast<int>(p.ms("case", 0, 3));
  Term why = p.pick("parent_exits", std::vector<Term>{atom("boom"), atom("shutdown"), tuple(atom("shutdown"), tuple(atom("a"), integer(1)))});
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    auto log = std::make_shared<std::string>();
    if (what == 0 || what == 1) {  // a raise in a call or a cast
      Pid srv = (co_await gen_server::start_link(self, factory({.log = log}))).pid;
      Ref m = self.monitor(srv);
      Term want = what == 0 ? atom("raised_in_call") : tuple(atom("error"), str("raised in cast"));
      if (what == 0) {
        try {
          co_await gen_server::call(self, srv, atom("raise"));
        } catch (const Exit&) {
        }
      } else {
        gen_server::cast(self, srv, Message(atom("raise")));
      }
      auto down = co_await self.receive(down_of(m));
      p.expect("the server's exit reason", down->get<DownMsg>()->reason, want);
      p.expect("terminate", *log, "terminate:" + want.to_string() + " ");
    } else if (what == 2) {  // the parent exits: a trapping server terminates with its reason
      Pid me = self.self();
      auto [parent, pm] = self.spawn_monitor([&, me](Process& q) -> Proc {
        Pid srv = (co_await gen_server::start_link(q, factory({.trap = true, .log = log}))).pid;
        q.send(me, Term(srv));
        co_await q.sleep(1);
        throw Exit(why);
      });
      (void)parent;
      auto got = co_await self.receive([](const Message& x) { return x.to_term().is_pid(); });
      Ref sm = self.monitor(got->to_term().pid());
      co_await self.receive(down_of(pm));
      auto down = co_await self.receive(down_of(sm));
      p.expect("the server's exit reason after its parent's", down->get<DownMsg>()->reason, why);
      p.expect("terminate", *log, "terminate:" + why.to_string() + " ");
    } else {  // {stop, normal, Reply, S}: terminate, then the reply
      Pid srv = (co_await gen_server::start_link(self, factory({.notify = self.self()}))).pid;
      Message r = co_await gen_server::call(self, srv, atom("stop_with_reply"));
      p.expect("the reply", r.to_term(), atom("stopped"));
      auto before = co_await self.receive_any(0);
      p.expect("already in the mailbox when the reply came", before ? before->to_term() : atom("nothing"), atom("terminated"));
    }
  });
}

// S2 S12 (measured on OTP 25): exit(self(), R) in a callback ends a server that does not trap
// exits at once with R (killed for kill) and terminate does not run; nor for kill when it traps.
// A trapping server gets the EXIT as a message: in handle_info when started with a link (its
// parent is the starter), while one started without a link is its own parent and stops through
// terminate(R).
void exit_self(Probe& p) {
  Term why = p.pick("reason", std::vector<Term>{atom("foo"), atom("kill"), atom("normal"), atom("shutdown")});
  bool trap = p.chance("trap");
  bool linked = p.chance("linked");
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    auto log = std::make_shared<std::string>();
    auto f = factory({.trap = trap, .log = log});
    Pid srv = (co_await (linked ? gen_server::start_link(self, f) : gen_server::start(self, f))).pid;
    Ref m = self.monitor(srv);
    Term answer = atom("none");
    try {
      answer = (co_await gen_server::call(self, srv, tuple(atom("exit_self"), why))).to_term();
    } catch (const Exit& e) {
      answer = e.reason()[0];
    }
    const bool ends_at_once = !trap || why.is_atom("kill");
    const Term ended = why.is_atom("kill") ? atom("killed") : why;
    if (ends_at_once) {
      p.expect("the call's exit", answer, ended);
      p.expect("the server's exit reason", (co_await self.receive(down_of(m)))->get<DownMsg>()->reason, ended);
      p.expect("terminate", *log, std::string());
    } else if (!linked) {
      p.expect("the call's answer", answer, atom("still_here"));
      p.expect("the server's exit reason", (co_await self.receive(down_of(m)))->get<DownMsg>()->reason, why);
      p.expect("terminate", *log, "terminate:" + why.to_string() + " ");
    } else {
      p.expect("the call's answer", answer, atom("still_here"));
      p.expect("a later call", (co_await gen_server::call(self, srv, atom("state"))).to_term(), atom("cold"));
      p.expect("terminate", *log, std::string());
      self.unlink(srv);
      self.exit(srv, atom("kill"));
    }
  });
}

// S11 S12 (Elixir 1.14, measured): a server without handle_call or handle_cast crashes when
// called or cast to, with the RuntimeError Elixir's defaults raise ({error, What} in C++), which
// names the server by its registered name or its pid; without handle_info it ignores messages.
void default_callbacks(Probe& p) {
  bool named = p.chance("named");
  bool by_cast = p.chance("cast");
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    struct Bare : GenServer {};
    gen_server::StartOptions opts;
    if (named) opts.name = {.local = "bare"};
    Pid srv = (co_await gen_server::start_link(self, [] { return std::make_unique<Bare>(); }, opts)).pid;
    self.send(srv, atom("stray"));  // handle_info's default: ignored
    co_await self.sleep(1);
    p.expect("alive after a message it has no handle_info for", self.node().alive(srv), true);
    const std::string who = named ? ":bare" : "#PID" + Term(srv).to_string();
    Term want = tuple(atom("error"), str(by_cast ? "attempted to cast GenServer " + who + " but no handle_cast/2 clause was provided"
                                                 : "attempted to call GenServer " + who + " but no handle_call/3 clause was provided"));
    Ref m = self.monitor(srv);
    if (by_cast) {
      gen_server::cast(self, srv, Message(atom("x")));
    } else {
      try {
        co_await gen_server::call(self, srv, atom("x"));
      } catch (const Exit& e) {
        p.expect("the caller's exit reason", e.reason()[0], want);
      }
    }
    p.expect("the server's exit reason", (co_await self.receive(down_of(m)))->get<DownMsg>()->reason, want);
  });
}

// S12: a callback other than handle_call that returns a reply ({reply, R, S}) or a stop with a
// reply ({stop, Why, R, S}) crashes the server with bad_return_value, terminate seeing it, even
// when Why is normal (tools/beam_diff/bad_returns.erl: OTP's reason carries the whole return,
// {bad_return_value, {stop, Why, R, S}}; otpsim's leaves the state out: {bad_return_value,
// {stop, Why, R}} or {bad_return_value, {reply, R}}).
void reply_outside_a_call(Probe& p) {
  std::string via = p.pick("returned_from", std::vector<std::string>{"handle_cast", "handle_info", "handle_continue"});
  bool stop_kind = p.chance("a_stop_with_a_reply");
  Term why = p.pick("stop_reason", std::vector<Term>{atom("normal"), atom("shutdown"), atom("boom")});
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    struct Bad : GenServer {
      Bad(bool stop, Term why, Pid log) : stop_(stop), why_(std::move(why)), log_(log) {}
      Result bad() const { return stop_ ? Result::stop(why_, Message(atom("hi"))) : Result::reply(Message(atom("hi"))); }
      Task<Result> handle_call(Process&, Message, From) override { co_return Result::reply(atom("ok")).then(atom("go")); }
      Task<Result> handle_cast(Process&, Message) override { co_return bad(); }
      Task<Result> handle_info(Process&, Message) override { co_return bad(); }
      Task<Result> handle_continue(Process&, Message) override { co_return bad(); }
      Task<void> terminate(Process& me, Term reason) override {
        me.send(log_, tuple(atom("terminate"), reason));
        co_return;
      }
      bool stop_;
      Term why_;
      Pid log_;
    };
    Pid log = self.self();
    Pid srv = (co_await gen_server::start(self, [&, log] { return std::make_unique<Bad>(stop_kind, why, log); })).pid;
    Ref m = self.monitor(srv);
    if (via == "handle_cast") gen_server::cast(self, srv, Message(atom("x")));
    else if (via == "handle_info") self.send(srv, atom("x"));
    else co_await gen_server::call(self, srv, atom("x"));
    Term want = tuple(atom("bad_return_value"), stop_kind ? tuple(atom("stop"), why, atom("hi")) : tuple(atom("reply"), atom("hi")));
    auto t = co_await self.receive([](const Message& x) { return x.get<Term>() && x.get<Term>()->is_tuple(2); }, 100);
    p.expect("terminate's reason", t ? (*t->get<Term>())[1] : atom("terminate_did_not_run"), want);
    auto d = co_await self.receive(down_of(m), 100);
    p.expect("the server's exit reason", d ? d->get<DownMsg>()->reason : atom("still_alive"), want);
  });
}

// S10 S11: a {continue,C} returned with a reply runs before the next message; a call to oneself
// exits {calling_self, {GenServer, call, [S, Req, T]}} at once.
void continue_and_calling_self(Probe& p) {
  int64_t t = p.ms("call_timeout_ms", 1, 9000);
  p.run([&](Process& self) -> Proc {
    Pid srv = (co_await gen_server::start_link(self, factory({}))).pid;
    co_await gen_server::call(self, srv, atom("continue_after_reply"));
    Message s = co_await gen_server::call(self, srv, atom("state"));
    p.expect("state after a continue returned with a reply", s.to_term(), atom("warm_again"));
    int64_t t0 = self.now_ms();
    Term got = atom("returned");
    try {
      co_await gen_server::call(self, self.self(), atom("x"), t);
    } catch (const Exit& e) {
      got = e.reason();
    }
    p.expect("a call to oneself", got, tuple(atom("calling_self"), tuple(atom("Elixir.GenServer"), atom("call"), list(Term(self.self()), atom("x"), integer(t)))));
    p.expect("time it took", self.now_ms() - t0, 0);
    self.unlink(srv);
    self.exit(srv, atom("kill"));
  });
}

// sys:trace (gen_server.hpp): while on, the server reports every message it takes ("got call R
// from P", "got cast M", "got M") and every reply it sends ("sent V to P"), in the order it
// handles them, and nothing once it is off; the sys requests themselves are not reported.
class Traced : public GenServer {
 public:
  Task<Result> handle_call(Process&, Message req, From) override { co_return Result::reply(req.to_term()); }
  Task<Result> handle_cast(Process&, Message) override { co_return Result::noreply(); }
  Task<Result> handle_info(Process&, Message) override { co_return Result::noreply(); }
};

void sys_trace(Probe& p) {
  auto n = static_cast<int>(p.ms("traced_requests", 1, 5));
  std::vector<std::string> kinds;
  for (int i = 0; i < n; ++i) kinds.push_back(p.pick("request", std::vector<std::string>{"call", "cast", "info"}));
  std::string got, want;
  p.run([&](Process& self) -> Proc {
    Pid s = (co_await gen_server::start_link(self, [] { return std::make_unique<Traced>(); })).pid;
    const std::string me = Term(self.self()).to_string(), it = Term(s).to_string();
    auto request = [&](const std::string& kind, Term t, bool traced) -> Task<void> {
      if (kind == "call") {
        co_await gen_server::call(self, s, t);
        if (traced) want += it + " got call " + t.to_string() + " from " + me + "\n" + it + " sent " + t.to_string() + " to " + me + "\n";
      } else if (kind == "cast") {
        gen_server::cast(self, s, t);
        if (traced) want += it + " got cast " + t.to_string() + "\n";
      } else {
        self.send(s, t);
        if (traced) want += it + " got " + t.to_string() + "\n";
      }
    };
    co_await sys::trace(self, s, true, [&got](const std::string& line) { got += line + "\n"; });
    for (int i = 0; i < n; ++i) co_await request(kinds[static_cast<size_t>(i)], tuple(atom(kinds[static_cast<size_t>(i)]), integer(i)), true);
    co_await sys::get_state(self, s);  // everything sent before it has been handled
    co_await sys::trace(self, s, false);
    for (const std::string& kind : {"call", "cast", "info"}) co_await request(kind, tuple(atom("untraced"), atom(kind)), false);
    co_await sys::get_state(self, s);
    p.expect("the trace", got, want);
    self.unlink(s);
    self.exit(s, atom("kill"));
  });
}

}  // namespace

const std::vector<ProbeDef>& gen_server_probes() {
  static const std::vector<ProbeDef> v = {
      {"init-result", "S10", init_result},
      {"terminate-raises", "S12", terminate_raises},
      {"callback-timeout", "S10", callback_timeout},
      {"init-timeout", "S10", init_timeout},
      {"call-default-timeout", "S11", call_default_timeout},
      {"start-timeout", "S10", start_timeout},
      {"stop-timeout", "S12", stop_timeout},
      {"start-killed-in-init", "S10", start_killed_in_init},
      {"failed-init-frees-name", "S7 S10 S60", failed_init_frees_name},
      {"by-name", "S7 S10 S11", by_name},
      {"init-continue", "S10", init_continue},
      {"init-self-send", "S5 S10", init_self_send},
      {"taken-name-and-bad-stops", "S10", taken_name_and_bad_stops},
      {"terminate-runs", "S12", terminate_runs},
      {"continue-and-calling-self", "S10 S11", continue_and_calling_self},
      {"exit-self", "S2 S12", exit_self},
      {"default-callbacks", "S11 S12", default_callbacks},
      {"reply-outside-a-call", "S12", reply_outside_a_call},
      {"sys-trace", "sys", sys_trace},
  };
  return v;
}

}  // namespace otp::properties::contract
