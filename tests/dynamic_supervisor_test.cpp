// DynamicSupervisor: SEMANTICS S40, through the guide's SessionSupervisor.
#include <gtest/gtest.h>

#include <otpsim/core/behaviours/dynamic_supervisor.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

// A session records the arguments it was started with; {crash, R} makes it stop with R.
class Session : public GenServer {
 public:
  Session(std::vector<std::string>& log, std::vector<Term> args) : log_(log), args_(std::move(args)) {}
  Task<InitResult> init(Process&) override {
    Term a = Term::list(args_);
    if (args_.back().is_atom("ignore")) co_return InitResult::ignore();
    if (args_.back().is_atom("fail")) co_return InitResult::stop(atom("no_user"));
    log_.push_back("start:" + a.to_string());
    co_return InitResult::ok();
  }
  Task<Result> handle_cast(Process&, Message m) override { co_return Result::stop((*m.get<Term>())[1]); }

 private:
  std::vector<std::string>& log_;
  std::vector<Term> args_;
};

dynamic_supervisor::ChildSpec session(std::vector<std::string>& log, Term user, Restart r = Restart::permanent) {
  dynamic_supervisor::ChildSpec s;
  s.start = [&log](Process& sup, std::vector<Term> args) {
    return gen_server::start_link(sup, [&log, args] { return std::make_unique<Session>(log, args); });
  };
  s.args = {std::move(user)};
  s.restart = r;
  return s;
}

Proc hold(Process& self) { co_await self.receive([](const Message&) { return false; }); }

}  // namespace

TEST(DynamicSupervisor, SessionsStartWithExtraArgumentsAndRestartWithTheSame) {  // S40
  World w;
  std::vector<std::string> log;
  std::string kids;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {.extra_arguments = {atom("pool")}},
                                                       {.name = {.local = "sessions"}}))
                  .pid;
    Term a = co_await dynamic_supervisor::start_child(self, "sessions", session(log, str("alice")));
    co_await dynamic_supervisor::start_child(self, sup, session(log, str("bob")));
    gen_server::cast(self, a[1].pid(), tuple(atom("crash"), atom("boom")));
    co_await self.sleep(1);
    kids = (co_await dynamic_supervisor::which_children(self, sup)).to_string();
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(log, (std::vector<std::string>{"start:[pool,\"alice\"]", "start:[pool,\"bob\"]", "start:[pool,\"alice\"]"}));
  EXPECT_EQ(kids.rfind("[{undefined,<0.", 0), 0u) << kids;  // ids are undefined
}

TEST(DynamicSupervisor, MaxChildrenIgnoreAndErrors) {  // S40
  World w;
  std::vector<std::string> log, got;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {.max_children = 2})).pid;
    co_await dynamic_supervisor::start_child(self, sup, session(log, str("a")));
    got.push_back((co_await dynamic_supervisor::start_child(self, sup, session(log, atom("ignore")))).to_string());
    got.push_back((co_await dynamic_supervisor::start_child(self, sup, session(log, atom("fail")))).to_string());
    co_await dynamic_supervisor::start_child(self, sup, session(log, str("b")));
    got.push_back((co_await dynamic_supervisor::start_child(self, sup, session(log, str("c")))).to_string());
    got.push_back((co_await dynamic_supervisor::count_children(self, sup)).to_string());
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"ignore", "{error,no_user}", "{error,max_children}",
                                           "[{specs,2},{active,2},{supervisors,0},{workers,2}]"}));
  EXPECT_EQ(log.size(), 2u);  // c's start function never ran
}

TEST(DynamicSupervisor, TerminateChildAndTransientNormalExitRemoves) {  // S40
  World w;
  std::vector<std::string> log, got;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {})).pid;
    Term a = co_await dynamic_supervisor::start_child(self, sup, session(log, str("a")));
    Term t = co_await dynamic_supervisor::start_child(self, sup, session(log, str("t"), Restart::transient));
    got.push_back((co_await dynamic_supervisor::terminate_child(self, sup, a[1].pid())).to_string());
    got.push_back((co_await dynamic_supervisor::terminate_child(self, sup, a[1].pid())).to_string());
    gen_server::cast(self, t[1].pid(), tuple(atom("crash"), atom("normal")));
    co_await self.sleep(1);
    got.push_back((co_await dynamic_supervisor::which_children(self, sup)).to_string());
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"ok", "{error,not_found}", "[]"}));
}

TEST(DynamicSupervisor, IntensityEscalatesAndShutdownStopsAllChildren) {  // S40, S28
  World w;
  std::vector<std::string> log;
  Pid sup{};
  std::vector<Pid> kids;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    sup = (co_await dynamic_supervisor::start_link(self, {.max_restarts = 1})).pid;
    for (const char* u : {"a", "b", "c"})
      kids.push_back((co_await dynamic_supervisor::start_child(self, sup, session(log, str(u))))[1].pid());
    gen_server::cast(self, kids[0], tuple(atom("crash"), atom("boom")));
    co_await self.sleep(1);
    gen_server::cast(self, kids[1], tuple(atom("crash"), atom("boom")));  // second restart: too many
    co_await self.sleep(1);
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(w.exit_reason(sup)->to_string(), "shutdown");
  EXPECT_EQ(w.exit_reason(kids[1])->to_string(), "boom");
  EXPECT_EQ(w.exit_reason(kids[2])->to_string(), "shutdown");
}

// tools/beam_diff/dynamic_supervisor.exs, steps 8-10: a transient child that exits normal or
// {shutdown, _} is removed; a permanent one that crashes is restarted under a new pid.
TEST(DynamicSupervisor, TransientShutdownExitRemovesPermanentCrashRestarts) {  // S40, S24
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await dynamic_supervisor::start_link(self, {})).pid;
    Term t = co_await dynamic_supervisor::start_child(self, sup, session(got, str("t"), Restart::transient));
    gen_server::cast(self, t[1].pid(), tuple(atom("crash"), tuple(atom("shutdown"), atom("x"))));
    co_await self.sleep(20);
    Term p = co_await dynamic_supervisor::start_child(self, sup, session(got, str("p")));
    gen_server::cast(self, p[1].pid(), tuple(atom("crash"), atom("boom")));
    co_await self.sleep(20);
    Term kids = co_await dynamic_supervisor::which_children(self, sup);
    got.push_back(std::to_string(kids.items().size()));
    got.push_back(kids.items()[0][1].is_pid() && kids.items()[0][1].pid() != p[1].pid() ? "new pid" : kids.to_string());
    co_await hold(self);
  });
  w.run();
  ASSERT_EQ(got.size(), 5u);  // t, p, p again (restarted), then the two checks
  EXPECT_EQ(got[3], "1");
  EXPECT_EQ(got[4], "new pid");
}

TEST(DynamicSupervisor, ShutdownLeavesNoKillTimerBehind) {  // S40: children that stop in time
  World w;
  int64_t stopped_at = -1;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<std::string> log;
    Pid sup = (co_await dynamic_supervisor::start_link(self, {})).pid;
    co_await dynamic_supervisor::start_child(self, sup, session(log, str("a")));
    co_await dynamic_supervisor::start_child(self, sup, session(log, str("b")));
    Ref m = self.monitor(sup);
    self.exit(sup, atom("shutdown"));
    co_await self.receive(down_of(m));
    stopped_at = self.now_ms();
  });
  w.run();
  EXPECT_EQ(stopped_at, 0);
  // Each child stopped at once, so its 5000 ms kill timer must be gone with the supervisor:
  // nothing fires later (virtual time would jump to 5000 to fire it).
  EXPECT_EQ(w.now_ms(), 0);
}

// A start function that says ok without a pid ({ok, undefined}) did not start anything: OTP's
// supervisors answer {error, {ok, undefined}} and keep no child for it.
TEST(DynamicSupervisor, OkWithoutAPidIsAnError) {  // S40 S22
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid dyn = (co_await dynamic_supervisor::start_link(self, {.max_children = 1})).pid;
    dynamic_supervisor::ChildSpec nothing{.start = [](Process&, std::vector<Term>) -> Task<StartResult> {
      co_return StartResult::ok(Pid{});
    }};
    got.push_back((co_await dynamic_supervisor::start_child(self, dyn, nothing)).to_string());
    got.push_back((co_await dynamic_supervisor::count_children(self, dyn)).to_string());
    Pid sup = (co_await supervisor::start_link(self, {}, {})).pid;
    ChildSpec phantom{.id = atom("phantom"), .start = [](Process&) -> Task<StartResult> { co_return StartResult::ok(Pid{}); }};
    got.push_back((co_await supervisor::start_child(self, sup, phantom)).to_string());
    got.push_back((co_await supervisor::which_children(self, sup)).to_string());
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"{error,{ok,undefined}}", "[{specs,0},{active,0},{supervisors,0},{workers,0}]",
                                           "{error,{{ok,undefined},[{id,phantom},{restart,permanent},{shutdown,5000},"
                                           "{type,worker},{modules,[]},{significant,false}]}}",
                                           "[]"}));
}
