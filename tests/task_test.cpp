// Task and Task.Supervisor: SEMANTICS S50, with the guide's NotificationService shape.
#include <gtest/gtest.h>

#include <limits>

#include <otpsim/core/behaviours/task_supervisor.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

// A "notification" that takes `ms` of virtual time and returns its channel name, or crashes.
TaskFn notify(const char* channel, int64_t ms, bool crash = false) {
  return [channel, ms, crash](Process& self) -> Task<Term> {
    co_await self.sleep(ms);
    if (crash) throw std::runtime_error(std::string(channel) + " down");
    co_return atom(channel);
  };
}

Proc hold(Process& self) { co_await self.receive([](const Message&) { return false; }); }

}  // namespace

TEST(Task, AsyncAwaitReturnsTheResult) {  // S50
  World w;
  std::string got;
  w.spawn([&](Process& self) -> Proc {
    TaskRef t = task::async(self, notify("email", 100));
    got = (co_await task::await(self, t)).to_string();
    EXPECT_EQ(self.now_ms(), 100);
  });
  w.run();
  EXPECT_EQ(got, "email");
}

TEST(Task, AwaitTimeoutExitsTheCaller) {  // S50
  World w;
  Pid caller = w.spawn([&](Process& self) -> Proc {
    TaskRef t = task::async(self, notify("sms", 10'000));
    co_await task::await(self, t, 500);
  });
  w.run();
  std::string r = w.exit_reason(caller)->to_string();
  EXPECT_EQ(r.rfind("{timeout,{'Elixir.Task',await,[{'Elixir.Task',<0.", 0), 0u) << r;
  EXPECT_NE(r.find(",500]}}"), std::string::npos) << r;
}

TEST(Task, CrashingLinkedTaskTakesTheCallerDown) {  // S50
  World w;
  Pid caller = w.spawn([&](Process& self) -> Proc {
    TaskRef t = task::async(self, notify("push", 10, true));
    co_await task::await(self, t);
  });
  w.run();
  std::string r = w.exit_reason(caller)->to_string();
  EXPECT_NE(r.find("push down"), std::string::npos) << r;
}

TEST(Task, SupervisorAsyncNolinkYieldAndShutdown) {  // S50
  World w;
  std::vector<std::string> got;
  Pid caller = w.spawn([&](Process& self) -> Proc {
    Pid sup = (co_await task_supervisor::start_link(self)).pid;
    TaskRef ok = co_await task_supervisor::async_nolink(self, sup, notify("email", 10));
    TaskRef bad = co_await task_supervisor::async_nolink(self, sup, notify("sms", 10, true));
    TaskRef slow = co_await task_supervisor::async_nolink(self, sup, notify("fax", 10'000));
    got.push_back((co_await task::yield(self, ok, 100)).to_string());
    got.push_back((co_await task::yield(self, bad, 100)).to_string());
    got.push_back((co_await task::yield(self, slow, 100)).to_string());
    got.push_back((co_await task::shutdown(self, slow)).to_string());
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"{ok,email}", "{exit,{error,\"sms down\"}}", "nil", "nil"}));
  EXPECT_TRUE(w.alive(caller));  // nolink: the crash did not reach the caller
}

TEST(Task, AwaitManyKeepsOrderUnderOneDeadline) {  // S50
  World w;
  std::string got;
  Pid late = w.spawn([&](Process& self) -> Proc {
    std::vector<TaskRef> ts{task::async(self, notify("c", 300)), task::async(self, notify("a", 100)),
                            task::async(self, notify("b", 200))};
    auto rs = co_await task::await_many(self, ts, 1000);
    got = Term::list(rs).to_string();
    // Each task fits in 400 ms but together they do not: one deadline for all.
    std::vector<TaskRef> ts2{task::async(self, notify("x", 300)), task::async(self, notify("y", 500))};
    co_await task::await_many(self, ts2, 400);
  });
  w.run();
  EXPECT_EQ(got, "[c,a,b]");
  EXPECT_EQ(w.exit_reason(late)->to_string().rfind("{timeout,{'Elixir.Task',await_many,", 0), 0u);
}

TEST(Task, SupervisorStartChildTemporaryAndTransient) {  // S50
  World w;
  int runs_tmp = 0, runs_tr = 0;
  w.spawn([&](Process& self) -> Proc {
    Pid sup = (co_await task_supervisor::start_link(self)).pid;
    co_await task_supervisor::start_child(self, sup, [&](Process&) -> Task<Term> {
      ++runs_tmp;
      throw std::runtime_error("once");
      co_return atom("ok");
    });
    co_await task_supervisor::start_child(
        self, sup,
        [&](Process&) -> Task<Term> {
          if (++runs_tr < 3) throw std::runtime_error("again");
          co_return atom("ok");
        },
        Restart::transient);
    co_await self.sleep(10);
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(runs_tmp, 1);  // temporary: never restarted
  EXPECT_EQ(runs_tr, 3);   // transient: restarted until it exits normally
}

// The same steps as an Elixir script run on OTP 25 / Elixir 1.14; the expected strings are what
// it printed (as Erlang terms).
TEST(Task, ShutdownAndYieldMatchWhatElixirPrinted) {  // S50
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    Pid sup = (co_await task_supervisor::start_link(self)).pid;
    auto value = [](const char* v) { return [v](Process&) -> Task<Term> { co_return atom(v); }; };
    TaskRef done = co_await task_supervisor::async_nolink(self, sup, value("email"));
    co_await self.sleep(50);
    got.push_back((co_await task::shutdown(self, done)).to_string());
    TaskRef bad = co_await task_supervisor::async_nolink(self, sup, [](Process& t) -> Task<Term> {
      t.exit(atom("boom"));
      co_return atom("unreachable");
    });
    co_await self.sleep(50);
    got.push_back((co_await task::shutdown(self, bad)).to_string());
    TaskRef t = co_await task_supervisor::async_nolink(self, sup, value("x"));
    got.push_back((co_await task::yield(self, t, 100)).to_string());
    got.push_back((co_await task::yield(self, t, 100)).to_string());
    TaskRef n = co_await task_supervisor::async_nolink(self, sup, [](Process& t) -> Task<Term> {
      t.exit(atom("normal"));
      co_return atom("unreachable");
    });
    got.push_back((co_await task::yield(self, n, 100)).to_string());
    TaskRef trap = co_await task_supervisor::async_nolink(self, sup, [](Process& t) -> Task<Term> {
      t.trap_exit(true);
      auto m = co_await t.receive([](const Message& m) { return m.get<ExitMsg>() != nullptr; });
      t.exit(tuple(atom("got"), m->get<ExitMsg>()->reason));
      co_return atom("unreachable");
    });
    co_await self.sleep(10);
    got.push_back((co_await task::shutdown(self, trap)).to_string());
    got.push_back(std::to_string(self.mailbox_size()));
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"{ok,email}", "{exit,boom}", "{ok,x}", "nil", "{exit,normal}",
                                           "{exit,{got,shutdown}}", "0"}));
}

// tools/beam_diff/task_shutdown.exs, second part (Elixir 1.14): brutal_kill, infinity, and a
// timeout that ends in a kill — which Elixir reports as {:exit, :killed}, not nil.
TEST(Task, ShutdownBrutalKillInfinityAndTimeoutKillMatchElixir) {  // S50
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    Pid sup = (co_await task_supervisor::start_link(self)).pid;
    auto sleeper = [](int64_t ms, bool trap) {
      return [ms, trap](Process& t) -> Task<Term> {
        if (trap) t.trap_exit(true);
        co_await t.sleep(ms);
        co_return atom("late");
      };
    };
    TaskRef slow = co_await task_supervisor::async_nolink(self, sup, sleeper(10'000, false));
    got.push_back((co_await task::shutdown(self, slow, task::brutal_kill)).to_string());
    TaskRef done = co_await task_supervisor::async_nolink(self, sup, [](Process&) -> Task<Term> { co_return atom("email"); });
    co_await self.sleep(50);
    got.push_back((co_await task::shutdown(self, done, task::brutal_kill)).to_string());
    TaskRef bad = co_await task_supervisor::async_nolink(self, sup, [](Process& t) -> Task<Term> {
      t.exit(atom("boom"));
      co_return atom("unreachable");
    });
    co_await self.sleep(50);
    got.push_back((co_await task::shutdown(self, bad, task::brutal_kill)).to_string());
    TaskRef trap = co_await task_supervisor::async_nolink(self, sup, sleeper(10'000, true));
    co_await self.sleep(10);
    got.push_back((co_await task::shutdown(self, trap, task::brutal_kill)).to_string());
    TaskRef trap2 = co_await task_supervisor::async_nolink(self, sup, sleeper(300, true));
    co_await self.sleep(10);
    got.push_back((co_await task::shutdown(self, trap2, infinity)).to_string());
    TaskRef trap3 = co_await task_supervisor::async_nolink(self, sup, sleeper(10'000, true));
    co_await self.sleep(10);
    got.push_back((co_await task::shutdown(self, trap3, 100)).to_string());
    got.push_back(std::to_string(self.mailbox_size()));
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"nil", "{ok,email}", "{exit,boom}", "nil", "{ok,late}", "{exit,killed}", "0"}));
}

// Task.yield_many, as Elixir 1.14 printed for tools/beam_diff/task_yield_many.exs:
// [{:ok, 1}, {:exit, :boom}, nil, {:ok, 4}], then Task.yield(t3, 2000) -> {:ok, 3}.
TEST(Task, YieldManyMatchesWhatElixirPrinted) {  // S50
  World w;
  std::string got, later, none;
  w.spawn([&](Process& self) -> Proc {
    Pid sup = (co_await task_supervisor::start_link(self)).pid;
    auto task = [&](int64_t sleep_ms, Term result) {
      return task_supervisor::async_nolink(self, sup, [sleep_ms, result](Process& t) -> Task<Term> {
        if (sleep_ms > 0) co_await t.sleep(sleep_ms);
        if (result.is_atom("boom")) throw Exit(atom("boom"));
        co_return result;
      });
    };
    TaskRef t1 = co_await task(0, integer(1));
    TaskRef t2 = co_await task(0, atom("boom"));
    TaskRef t3 = co_await task(1000, integer(3));
    TaskRef t4 = co_await task(50, integer(4));
    got = Term::list(co_await task::yield_many(self, {t1, t2, t3, t4}, 200)).to_string();
    EXPECT_EQ(self.now_ms(), 200);  // the slow task kept it waiting until the deadline
    later = (co_await task::yield(self, t3, 2000)).to_string();
    none = Term::list(co_await task::yield_many(self, {}, 10)).to_string();
  });
  w.run();
  EXPECT_EQ(got, "[{ok,1},{exit,boom},nil,{ok,4}]");
  EXPECT_EQ(later, "{ok,3}");
  EXPECT_EQ(none, "[]");
}

// A timeout is >= 0 ms or infinity, for the many as for one task (Elixir raises on a negative
// one): a negative timeout is a clear error, never "forever" or "now" depending on the clock.
TEST(Task, ManyTasksWithANegativeTimeoutIsAClearError) {  // S50
  World w;
  std::vector<std::string> errors;
  w.spawn([&](Process& self) -> Proc {
    co_await self.sleep(500);  // a clock past 0: a negative deadline must not read as infinity
    for (int64_t bad : {int64_t{-3}, int64_t{-1000}, std::numeric_limits<int64_t>::min()}) {
      TaskRef t = task::async(self, notify("email", 10));
      try {
        co_await task::await_many(self, {t}, bad);
      } catch (const UsageError& e) {
        errors.push_back(e.what());
      }
      try {
        co_await task::yield_many(self, {t}, bad);
      } catch (const UsageError& e) {
        errors.push_back(e.what());
      }
      co_await task::await(self, t);
    }
  });
  w.run();
  ASSERT_EQ(errors.size(), 6u);
  EXPECT_EQ(errors[0], "Task.await_many: timeout must be >= 0 ms or otp::infinity, got -3");
  EXPECT_EQ(errors[1], "Task.yield_many: timeout must be >= 0 ms or otp::infinity, got -3");
}

// An empty task function is the caller's error, raised where it calls; a call to no server
// names it undefined, as Erlang prints a call to undefined.
TEST(Task, AnEmptyFunctionIsTheCallersError) {  // S50
  World w;
  std::vector<std::string> errors;
  w.spawn([&](Process& self) -> Proc {
    try {
      (void)task::async(self, TaskFn{});
    } catch (const UsageError& e) {
      errors.push_back(e.what());
    }
    Pid ts = (co_await task_supervisor::start_link(self)).pid;
    try {
      (void)co_await task_supervisor::async_nolink(self, ts, TaskFn{});
    } catch (const UsageError& e) {
      errors.push_back(e.what());
    }
    try {
      co_await gen_server::call(self, Pid{}, atom("hi"));
    } catch (const Exit& e) {
      errors.push_back(e.what());
    }
  });
  w.run();
  EXPECT_EQ(errors, (std::vector<std::string>{"Task.async: the task's function is empty",
                                              "Task.Supervisor: the task's function is empty",
                                              "{noproc,{'Elixir.GenServer',call,[undefined,hi,5000]}}"}));
}
