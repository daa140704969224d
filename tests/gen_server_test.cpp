// GenServer: SEMANTICS S10 (init), S11 (call), S12 (terminate); the guide's Counter.
#include <gtest/gtest.h>

#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

// The guide's Counter: increment / get / crash.
class Counter : public GenServer {
 public:
  explicit Counter(int64_t start) : count_(start) {}
  Task<Result> handle_call(Process&, Message req, From) override {
    const Term& t = *req.get<Term>();
    if (t.is_atom("get")) co_return Result::reply(integer(count_));
    if (t.is_atom("crash")) throw std::runtime_error("counter crashed");
    co_return Result::reply(atom("unknown"));
  }
  Task<Result> handle_cast(Process&, Message req) override {
    if (req.get<Term>()->is_atom("increment")) ++count_;
    co_return Result::noreply();
  }

 private:
  int64_t count_;
};

ServerFactory counter(int64_t start = 0) {
  return [start] { return std::make_unique<Counter>(start); };
}

// An init that does what it is told.
class InitProbe : public GenServer {
 public:
  explicit InitProbe(Term mode) : mode_(std::move(mode)) {}
  Task<InitResult> init(Process& self) override {
    if (mode_.is_atom("ignore")) co_return InitResult::ignore();
    if (mode_.is_atom("stop")) co_return InitResult::stop(atom("no_db"));
    if (mode_.is_atom("crash")) throw std::runtime_error("init blew up");
    if (mode_.is_atom("continue")) co_return InitResult::ok_continue(atom("warmup"));
    if (mode_.is_atom("timeout")) co_return InitResult::ok_timeout(50);
    if (mode_.is_atom("trap")) self.trap_exit(true);
    co_return InitResult::ok();
  }
  Task<Result> handle_continue(Process&, Message c) override {
    log.push_back("continue:" + c.to_term().to_string());
    co_return Result::noreply();
  }
  Task<Result> handle_call(Process& self, Message req, From from) override {
    const Term& t = *req.get<Term>();
    log.push_back("call:" + t.to_string());
    if (t.is_atom("log")) co_return Result::reply(logs());
    if (t.is_atom("slow")) {
      co_await self.sleep(10'000);
      co_return Result::reply(atom("late"));
    }
    if (t.is_atom("deferred")) {  // reply from elsewhere through the From handle
      self.send_after(self.self(), tuple(atom("answer"), from.pid, from.ref), 30);
      co_return Result::noreply();
    }
    if (t.is_atom("stop")) co_return Result::stop(atom("normal"), atom("bye"));
    if (t.is_tuple(2) && t[0].is_atom("exit_self")) {  // exit(self(), R)
      self.exit(self.self(), t[1]);
      co_return Result::reply(atom("still_here"));
    }
    co_return Result::reply(atom("ok"));
  }
  Task<Result> handle_info(Process& self, Message m) override {
    Term t = m.to_term();
    log.push_back("info:" + t.to_string());
    if (t.is_tuple(3) && t[0].is_atom("answer")) gen_server::reply(self, {t[1].pid(), t[2].ref()}, atom("deferred_ok"));
    co_return Result::noreply();
  }
  Task<void> terminate(Process&, Term reason) override {
    if (terminated) *terminated = reason.to_string();
    co_return;
  }
  Term logs() const {
    std::vector<Term> out;
    for (auto& l : log) out.push_back(str(l));
    return Term::list(out);
  }
  std::vector<std::string> log;
  std::string* terminated = nullptr;

 private:
  Term mode_;
};

ServerFactory probe(Term mode, std::string* terminated = nullptr) {
  return [mode, terminated] {
    auto p = std::make_unique<InitProbe>(mode);
    p->terminated = terminated;
    return p;
  };
}

}  // namespace

TEST(GenServer, InitResultsMapToStartResults) {  // S10
  World w;
  std::vector<std::string> got;
  Pid starter = w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);  // so the crashing inits do not take the starter down
    for (const char* mode : {"ok", "ignore", "stop", "crash"}) {
      StartResult r = co_await gen_server::start_link(self, probe(atom(mode)));
      got.push_back(r.kind == StartResult::Kind::ok ? "ok" : r.to_term().to_string());
    }
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"ok", "ignore", "{error,no_db}",
                                           "{error,{error,\"init blew up\"}}"}));
  EXPECT_EQ(w.exit_reason(starter)->to_string(), "normal");
}

TEST(GenServer, CrashInInitKillsNonTrappingLinkedCaller) {  // S10
  World w;
  bool returned = false;
  Pid starter = w.spawn([&](Process& self) -> Proc {
    co_await gen_server::start_link(self, probe(atom("stop")));
    returned = true;
    co_await self.sleep(100);
  });
  w.run();
  EXPECT_EQ(w.exit_reason(starter)->to_string(), "no_db");
}

TEST(GenServer, ContinueRunsBeforeAnyMessageAndTimeoutSendsTimeout) {  // S10
  World w;
  std::string log1, log2;
  w.spawn([&](Process& self) -> Proc {
    auto a = co_await gen_server::start_link(self, probe(atom("continue")));
    auto l1 = co_await gen_server::call(self, a.pid, atom("log"));
    log1 = l1.get<Term>()->to_string();
    auto b = co_await gen_server::start_link(self, probe(atom("timeout")));
    co_await self.sleep(100);
    log2 = (co_await gen_server::call(self, b.pid, atom("log"))).get<Term>()->to_string();
  });
  w.run();
  EXPECT_EQ(log1, "[\"continue:warmup\",\"call:log\"]");
  EXPECT_EQ(log2, "[\"info:timeout\",\"call:log\"]");
}

TEST(GenServer, NamedStartAndAlreadyStarted) {  // S10, S7
  World w;
  std::string second;
  Pid first_pid{};
  w.spawn([&](Process& self) -> Proc {
    auto a = co_await gen_server::start_link(self, counter(), {.name = {.local = "counter"}});
    first_pid = a.pid;
    auto b = co_await gen_server::start_link(self, counter(), {.name = {.local = "counter"}});
    second = b.to_term().to_string();
    gen_server::cast(self, "counter", atom("increment"));
    auto v = co_await gen_server::call(self, "counter", atom("get"));
    EXPECT_EQ(v.get<Term>()->integer_value(), 1);
    co_await self.receive_any();
  });
  w.run();
  EXPECT_EQ(second, "{error,{already_started," + Term(first_pid).to_string() + "}}");
}

// Measured on OTP 25 (tools/beam_diff/undefined_start.erl): the start spawns a server, whose
// registration is refused; it answers {error,{already_started,undefined}} and exits normal
// before its init, so a trapping start_link caller finds {'EXIT', Pid, normal}.
TEST(GenServer, UndefinedIsNoName) {  // S7, S10: register(undefined, P) is badarg in OTP
  World w;
  std::string started, linked, mailbox, whereis;
  bool registered = true;
  int inits = 0;
  struct Counted : GenServer {
    int* inits;
    explicit Counted(int* n) : inits(n) {}
    Task<InitResult> init(Process&) override {
      ++*inits;
      co_return InitResult::ok();
    }
  };
  w.spawn([&](Process& self) -> Proc {
    registered = self.register_name("undefined");
    auto r = co_await gen_server::start(self, [&inits] { return std::make_unique<Counted>(&inits); }, {.name = {.local = "undefined"}});
    started = r.to_term().to_string();
    self.trap_exit(true);
    auto l = co_await gen_server::start_link(self, [&inits] { return std::make_unique<Counted>(&inits); }, {.name = {.local = "undefined"}});
    linked = l.to_term().to_string();
    auto m = co_await self.receive_any(100);
    const auto* e = m ? m->get<ExitMsg>() : nullptr;
    mailbox = e ? e->reason.to_string() : "none";
    whereis = Term(self.whereis("undefined")).to_string();
  });
  w.run();
  EXPECT_FALSE(registered);
  EXPECT_EQ(started, "{error,{already_started,undefined}}");
  EXPECT_EQ(linked, "{error,{already_started,undefined}}");
  EXPECT_EQ(mailbox, "normal") << "the refused server's EXIT";
  EXPECT_EQ(inits, 0) << "init never runs";
  EXPECT_EQ(whereis, Term(Pid{}).to_string());
}

TEST(GenServer, CounterIncrementGetCrash) {  // S11, S3: the guide's Counter
  World w;
  int64_t value = -1;
  std::string caller_exit;
  Pid server{};
  Pid caller = w.spawn([&](Process& self) -> Proc {
    auto r = co_await gen_server::start_link(self, counter(10));
    server = r.pid;
    for (int i = 0; i < 3; ++i) gen_server::cast(self, server, atom("increment"));
    value = (co_await gen_server::call(self, server, atom("get"))).get<Term>()->integer_value();
    co_await gen_server::call(self, server, atom("crash"));
  });
  w.run();
  EXPECT_EQ(value, 13);
  EXPECT_EQ(w.exit_reason(server)->to_string(), "{error,\"counter crashed\"}");
  // The caller dies either of the link or of the call's DOWN, whichever arrives first.
  std::string r = w.exit_reason(caller)->to_string();
  EXPECT_TRUE(r == "{error,\"counter crashed\"}" ||
              r == "{{error,\"counter crashed\"},{'Elixir.GenServer',call,[" + Term(server).to_string() +
                       ",crash,5000]}}")
      << r;
}

TEST(GenServer, CallToDeadOrUnknownServerExitsWithNoproc) {  // S11
  World w;
  Pid a = w.spawn([](Process& self) -> Proc {
    co_await gen_server::call(self, "nobody", atom("hi"));
  });
  Pid dead = w.spawn([](Process&) -> Proc { co_return; });
  w.run();
  Pid b = w.spawn([dead](Process& self) -> Proc { co_await gen_server::call(self, dead, atom("hi"), 100); });
  w.run();
  EXPECT_EQ(w.exit_reason(a)->to_string(), "{noproc,{'Elixir.GenServer',call,[nobody,hi,5000]}}");
  EXPECT_EQ(w.exit_reason(b)->to_string(),
            "{noproc,{'Elixir.GenServer',call,[" + Term(dead).to_string() + ",hi,100]}}");
}

TEST(GenServer, CallTimeoutExitsCallerAndLateReplyIsDropped) {  // S11
  World w;
  std::string caught;
  bool late_reply_seen = true;
  Pid server{};
  w.spawn([&](Process& self) -> Proc {
    server = (co_await gen_server::start(self, probe(atom("ok")))).pid;
    try {
      co_await gen_server::call(self, server, atom("slow"));
    } catch (const Exit& e) {
      caught = e.reason().to_string();
    }
    auto m = co_await self.receive_any(20'000);  // the server replies at 10 s: dropped
    late_reply_seen = m.has_value();
  });
  w.run();
  EXPECT_EQ(caught, "{timeout,{'Elixir.GenServer',call,[" + Term(server).to_string() + ",slow,5000]}}");
  EXPECT_FALSE(late_reply_seen);
}

TEST(GenServer, ReplyFromElsewhereThroughFrom) {  // S11
  World w;
  std::string got;
  w.spawn([&](Process& self) -> Proc {
    Pid s = (co_await gen_server::start_link(self, probe(atom("ok")))).pid;
    got = (co_await gen_server::call(self, s, atom("deferred"))).get<Term>()->to_string();
    EXPECT_EQ(self.now_ms(), 30);
  });
  w.run();
  EXPECT_EQ(got, "deferred_ok");
}

TEST(GenServer, StopReturnRepliesThenRunsTerminate) {  // S12
  World w;
  std::string terminated, reply;
  Pid s{};
  w.spawn([&](Process& self) -> Proc {
    s = (co_await gen_server::start_link(self, probe(atom("ok"), &terminated))).pid;
    reply = (co_await gen_server::call(self, s, atom("stop"))).get<Term>()->to_string();
  });
  w.run();
  EXPECT_EQ(reply, "bye");
  EXPECT_EQ(terminated, "normal");
  EXPECT_EQ(w.exit_reason(s)->to_string(), "normal");
}

TEST(GenServer, NonTrappingServerKilledByParentSkipsTerminate) {  // S12
  World w;
  std::string terminated = "not run";
  Pid s{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    s = (co_await gen_server::start_link(self, probe(atom("ok"), &terminated))).pid;
    self.exit(s, atom("shutdown"));
    co_await self.receive_any();
  });
  w.run();
  EXPECT_EQ(terminated, "not run");
  EXPECT_EQ(w.exit_reason(s)->to_string(), "shutdown");
}

TEST(GenServer, TrappingServerRunsTerminateOnParentExitOnly) {  // S12
  World w;
  std::string terminated = "not run";
  std::string log;
  Pid s{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    s = (co_await gen_server::start_link(self, probe(atom("trap"), &terminated))).pid;
    // A stranger's exit signal reaches handle_info as {'EXIT', ...}.
    Pid stranger = self.spawn([s](Process& x) -> Proc {
      x.exit(s, atom("stranger"));
      co_return;
    });
    co_await self.sleep(10);
    log = (co_await gen_server::call(self, s, atom("log"))).get<Term>()->to_string();
    EXPECT_NE(log.find("info:{'EXIT'," + Term(stranger).to_string() + ",stranger}"), std::string::npos) << log;
    self.exit(s, atom("shutdown"));
    co_await self.receive_any();
  });
  w.run();
  EXPECT_EQ(terminated, "shutdown");
  EXPECT_EQ(w.exit_reason(s)->to_string(), "shutdown");
}

TEST(GenServer, CrashInCallbackRunsTerminateWithTheReason) {  // S12
  World w;
  std::string terminated;
  Pid s{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    s = (co_await gen_server::start_link(self, probe(atom("ok"), &terminated))).pid;
    gen_server::cast(self, s, atom("anything"));  // no handle_cast: Elixir's default raises
    co_await self.receive_any();
  });
  w.run();
  const std::string want = "{error,\"attempted to cast GenServer #PID" + Term(s).to_string() + " but no handle_cast/2 clause was provided\"}";
  EXPECT_EQ(terminated, want);
  EXPECT_EQ(w.exit_reason(s)->to_string(), want);
}

TEST(GenServer, StopApiRunsTerminate) {  // S12
  World w;
  std::string terminated;
  w.spawn([&](Process& self) -> Proc {
    Pid s = (co_await gen_server::start(self, probe(atom("ok"), &terminated))).pid;
    co_await gen_server::stop(self, s, atom("normal"));
    EXPECT_FALSE(self.node().alive(s));
  });
  w.run();
  EXPECT_EQ(terminated, "normal");
}

TEST(GenServer, CallingSelfExitsInsteadOfDeadlocking) {  // S11 (Elixir's GenServer.call)
  World w;
  Pid p = w.spawn([](Process& self) -> Proc { co_await gen_server::call(self, self.self(), atom("hi")); });
  w.run();
  EXPECT_EQ(w.exit_reason(p)->to_string(),
            "{calling_self,{'Elixir.GenServer',call,[" + Term(p).to_string() + ",hi,5000]}}");
}

namespace {
// Handles what needs no waiting in the synchronous callbacks and declines the rest, which then
// reaches the Task callbacks untouched.
class FastPath : public GenServer {
 public:
  std::optional<Result> try_handle_call(Process&, Message& req, From) override {
    const Term& t = *req.get<Term>();
    if (t.is_atom("get")) return Result::reply(integer(count_));
    if (t.is_atom("crash")) throw std::runtime_error("fast crash");
    return std::nullopt;  // "slow" and anything else: the coroutine handle_call
  }
  Task<Result> handle_call(Process& self, Message req, From) override {
    if (req.to_term().is_atom("log")) co_return Result::reply(logs());
    co_await self.sleep(5);
    co_return Result::reply(tuple(atom("slow"), req.to_term()));
  }
  Term logs() const {
    std::vector<Term> out;
    for (auto& l : log_) out.push_back(str(l));
    return Term::list(out);
  }
  std::optional<Result> try_handle_cast(Process&, Message& req) override {
    if (!req.get<Term>()->is_atom("increment")) return std::nullopt;
    ++count_;
    return Result::noreply().after(20);  // a timeout from the fast path as well
  }
  Task<Result> handle_cast(Process&, Message req) override {
    log_.push_back("cast:" + req.to_term().to_string());
    co_return Result::noreply();
  }
  std::optional<Result> try_handle_info(Process&, Message& m) override {
    if (m.to_term().is_atom("timeout")) {
      log_.push_back("timeout");
      return Result::noreply();
    }
    if (m.to_term().is_atom("log")) return Result::reply(logs());  // no caller: bad_return_value
    return std::nullopt;
  }
  Task<Result> handle_info(Process&, Message m) override {
    log_.push_back("info:" + m.to_term().to_string());
    co_return Result::noreply();
  }

 private:
  int64_t count_ = 0;
  std::vector<std::string> log_;
};
}  // namespace

TEST(GenServer, SynchronousCallbacksHandleOrDeclineEachMessage) {  // S11, S12
  World w;
  std::vector<std::string> seen;
  Pid server{};
  Pid caller = w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    server = (co_await gen_server::start_link(self, [] { return std::make_unique<FastPath>(); })).pid;
    gen_server::cast(self, server, atom("increment"));
    gen_server::cast(self, server, atom("other"));
    gen_server::cast(self, server, atom("increment"));
    seen.push_back((co_await gen_server::call(self, server, atom("get"))).to_term().to_string());
    seen.push_back((co_await gen_server::call(self, server, atom("slow"))).to_term().to_string());
    self.send(server, atom("hello"));
    co_await self.sleep(100);  // nothing arrives for 20 ms after the last cast: handle_info(timeout)
    gen_server::cast(self, server, atom("increment"));
    co_await self.sleep(100);
    seen.push_back((co_await gen_server::call(self, server, atom("get"))).to_term().to_string());
    seen.push_back((co_await gen_server::call(self, server, atom("log"))).to_term().to_string());
    try {
      co_await gen_server::call(self, server, atom("crash"));
    } catch (const Exit& e) {
      seen.push_back(e.reason()[0].to_string());
    }
  });
  w.run();
  // The timeout after the first casts was cancelled by the call that came next (S10).
  EXPECT_EQ(seen, (std::vector<std::string>{"2", "{slow,slow}", "3", "[\"cast:other\",\"info:hello\",\"timeout\"]",
                                            "{error,\"fast crash\"}"}));
  EXPECT_EQ(w.exit_reason(server)->to_string(), "{error,\"fast crash\"}");  // S12: a throw crashes it
  EXPECT_EQ(w.exit_reason(caller)->to_string(), "normal");  // it traps exits: the crash came as a message
}

TEST(GenServer, SynchronousReplyWithoutCallerIsBadReturnValue) {  // S12
  World w;
  Pid server{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    server = (co_await gen_server::start_link(self, [] { return std::make_unique<FastPath>(); })).pid;
    self.send(server, atom("log"));
    co_await self.receive_any();
  });
  w.run();
  EXPECT_EQ(w.exit_reason(server)->to_string(), "{bad_return_value,{reply,[]}}");
}

// OTP 25 (gen_server's handle_common_reply): a cast or info callback answering with a reply, or
// with {stop, R, Reply, S}, is a bad return: the server stops with {bad_return_value, Return} and
// terminate sees that reason, not R. Measured: {bad_return_value,{stop,bye,oops,st}} and
// {bad_return_value,{reply,oops,st}}; a C++ server's state is its members, so it is left out.
namespace {
class ReplyOutsideCall : public GenServer {
 public:
  explicit ReplyOutsideCall(std::vector<std::string>* terminated) : terminated_(terminated) {}
  Task<Result> handle_cast(Process&, Message) override { co_return Result::stop(atom("bye"), atom("oops")); }
  Task<Result> handle_info(Process&, Message) override { co_return Result::reply(atom("oops")); }
  Task<void> terminate(Process&, Term reason) override {
    terminated_->push_back(reason.to_string());
    co_return;
  }

 private:
  std::vector<std::string>* terminated_;
};
}  // namespace

TEST(GenServer, ReplyFromCastOrInfoIsBadReturnValueAsInOtp) {  // S12
  World w;
  std::vector<std::string> terminated, exits;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    for (int k = 0; k < 2; ++k) {
      Pid s = (co_await gen_server::start_link(self, [&] { return std::make_unique<ReplyOutsideCall>(&terminated); })).pid;
      if (k == 0) gen_server::cast(self, s, atom("x"));
      else self.send(s, atom("y"));
      auto m = co_await self.receive(exit_from(s));
      exits.push_back(m->get<ExitMsg>()->reason.to_string());
    }
  });
  w.run();
  std::vector<std::string> want{"{bad_return_value,{stop,bye,oops}}", "{bad_return_value,{reply,oops}}"};
  EXPECT_EQ(exits, want);
  EXPECT_EQ(terminated, want);
}

// What a trapping starter finds in its mailbox, as OTP 25 printed it for the same steps
// (tools/beam_diff/gen_server_exits.erl): the start result, then the EXIT of the linked server.
TEST(GenServer, TrappingStarterSeesTheExitsOtpSends) {  // S10, S12
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    auto mailbox = [&]() -> Task<std::string> {
      std::string s;
      while (auto m = co_await self.receive_any(50)) {
        Term t = m->to_term();
        if (t.is_tuple(3) && t[0].is_atom("EXIT")) t = tuple(t[0], atom("pid"), t[2]);
        s += (s.empty() ? "" : ",") + t.to_string();
      }
      co_return "[" + s + "]";
    };
    for (const char* mode : {"ignore", "stop"}) {
      StartResult r = co_await gen_server::start_link(self, probe(atom(mode)));
      got.push_back(std::string(mode) + ": " + r.to_term().to_string() + " mailbox " + co_await mailbox());
    }
    Pid a = (co_await gen_server::start_link(self, probe(atom("ok")))).pid;
    got.push_back("stop_reply: " + (co_await gen_server::call(self, a, atom("stop"))).to_term().to_string() +
                  " mailbox " + co_await mailbox());
    Pid b = (co_await gen_server::start_link(self, probe(atom("ok")))).pid;
    co_await gen_server::stop(self, b);
    got.push_back("stop: mailbox " + co_await mailbox());
    Pid c = (co_await gen_server::start_link(self, probe(atom("ok")))).pid;
    co_await gen_server::stop(self, c, tuple(atom("shutdown"), atom("x")));
    got.push_back("stop custom: mailbox " + co_await mailbox());
  });
  w.run();
  // OTP's server answered {stop, bye, my_reply, S}; ours {stop, normal, bye}: the same shape.
  EXPECT_EQ(got, (std::vector<std::string>{"ignore: ignore mailbox [{'EXIT',pid,normal}]",
                                           "stop: {error,no_db} mailbox [{'EXIT',pid,no_db}]",
                                           "stop_reply: bye mailbox [{'EXIT',pid,normal}]",
                                           "stop: mailbox [{'EXIT',pid,normal}]",
                                           "stop custom: mailbox [{'EXIT',pid,{shutdown,x}}]"}));
}

// A negative timeout is the caller's error, named after the function it was given to.
TEST(GenServer, StopWithANegativeTimeoutNamesStop) {
  otp::sim::World w;
  std::string error;
  w.spawn([&](Process& self) -> Proc {
    try {
      co_await gen_server::stop(self, self.self(), atom("normal"), -7);
    } catch (const UsageError& e) {
      error = e.what();
    }
  });
  w.run();
  EXPECT_EQ(error, "GenServer.stop: timeout must be >= 0 ms or otp::infinity, got -7");
}

TEST(GenServer, CallAndSysWithANegativeTimeoutNameTheirFunction) {
  otp::sim::World w;
  std::vector<std::string> errors;
  w.spawn([&](Process& self) -> Proc {
    try {
      co_await gen_server::call(self, self.self(), atom("ping"), -2);
    } catch (const UsageError& e) {
      errors.push_back(e.what());
    }
    try {
      co_await sys::get_state(self, self.self(), -9);
    } catch (const UsageError& e) {
      errors.push_back(e.what());
    }
  });
  w.run();
  EXPECT_EQ(errors, (std::vector<std::string>{"GenServer.call: timeout must be >= 0 ms or otp::infinity, got -2",
                                              "sys:get_state: timeout must be >= 0 ms or otp::infinity, got -9"}));
}

// Measured on OTP 25: exit(self(), R) in a callback of a server that does not trap exits ends it
// at once with R (killed for kill) and terminate does not run; nor does it for kill when it traps.
TEST(GenServer, ExitSignalToItselfEndsItAtOnceWithoutTerminate) {  // S2, S12
  struct Case {
    const char* mode;
    const char* reason;
    const char* ends_with;
  };
  for (Case c : {Case{"ok", "foo", "foo"}, Case{"ok", "kill", "killed"}, Case{"ok", "normal", "normal"},
                 Case{"ok", "shutdown", "shutdown"}, Case{"trap", "kill", "killed"}}) {
    World w;
    std::string terminated, call_exit;
    Pid s{};
    w.spawn([&](Process& self) -> Proc {
      self.trap_exit(true);
      s = (co_await gen_server::start_link(self, probe(atom(c.mode), &terminated))).pid;
      try {
        co_await gen_server::call(self, s, tuple(atom("exit_self"), atom(c.reason)));
      } catch (const Exit& e) {
        call_exit = e.reason()[0].to_string();
      }
    });
    w.run();
    SCOPED_TRACE(std::string(c.mode) + " " + c.reason);
    EXPECT_EQ(call_exit, c.ends_with);
    EXPECT_EQ(w.exit_reason(s)->to_string(), c.ends_with);
    EXPECT_EQ(terminated, "");
  }
}

// gen:start makes a server started without a link its own parent: when it traps exits, the EXIT
// of exit(self(), R) stops it through terminate(R) (OTP 25); a linked one gets it in handle_info.
TEST(GenServer, UnlinkedTrappingServerIsItsOwnParent) {  // S12
  for (bool linked : {false, true}) {
    World w;
    std::string terminated;
    Term answer;
    Pid s{};
    w.spawn([&](Process& self) -> Proc {
      auto start = linked ? gen_server::start_link(self, probe(atom("trap"), &terminated))
                          : gen_server::start(self, probe(atom("trap"), &terminated));
      s = (co_await std::move(start)).pid;
      answer = (co_await gen_server::call(self, s, tuple(atom("exit_self"), atom("foo")))).to_term();
      co_await self.sleep(10);
      if (linked) gen_server::cast(self, s, atom("anything"));  // ends the linked one (no handle_cast)
    });
    w.run();
    SCOPED_TRACE(linked ? "linked" : "unlinked");
    EXPECT_EQ(answer.to_string(), "still_here");
    EXPECT_EQ(terminated.substr(0, 41), linked ? "{error,\"attempted to cast GenServer #PID<" : "foo");
  }
}

// S10: a factory that makes no server (empty, or returning a null pointer) crashes the new
// process before init, so the start returns {error, R} naming the cause: it does not crash the
// program (a null server was dereferenced).
TEST(GenServer, FactoryWithoutServerFailsTheStart) {  // S10
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    got.push_back((co_await gen_server::start_link(self, [] { return std::unique_ptr<GenServer>(); })).to_term().to_string());
    got.push_back((co_await gen_server::start(self, ServerFactory{})).to_term().to_string());
    StartResult sup = co_await supervisor::start_link(self, {}, {worker_spec(atom("w"), [] { return std::unique_ptr<GenServer>(); })});
    got.push_back(sup.to_term().to_string());
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{
                     "{error,{error,\"gen_server: the ServerFactory returned no server (a null pointer)\"}}",
                     "{error,{error,\"gen_server: the ServerFactory is empty\"}}",
                     "{error,{shutdown,{failed_to_start_child,w,{error,\"gen_server: the ServerFactory returned no server (a null pointer)\"}}}}"}));
}
