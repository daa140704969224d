// Supervisor: SEMANTICS S20-S32.
#include <gtest/gtest.h>

#include <otpsim/properties/lab.hpp>

using namespace otp;
using namespace lab;
using otp::sim::World;

namespace {

// Runs `body` as a trapping test process; fails the test if the world does not go quiet.
template <class F>
void run_test(World& w, F body) {
  w.spawn([body](Process& self) -> Proc {
    self.trap_exit(true);
    co_await body(self);
    // Stay alive: our exit would take the linked supervisors down (their parent's EXIT).
    co_await self.receive([](const Message&) { return false; });
  });
  auto r = w.run({.max_steps = 2'000'000});
  ASSERT_NE(r.stop, otp::sim::StopReason::step_limit);
}

}  // namespace

TEST(Supervisor, StartsInOrderAndRollsBackInReverseOnFailure) {  // S20
  World w;
  Lab l;
  l.next_init["c"] = {atom("econnrefused")};
  std::string result;
  run_test(w, [&](Process& self) -> Task<void> {
    auto r = co_await supervisor::start_link(self, {}, {spec(l, "a"), spec(l, "b"), spec(l, "c"), spec(l, "d")});
    result = r.to_term().to_string();
  });
  EXPECT_EQ(result, "{error,{shutdown,{failed_to_start_child,c,econnrefused}}}");
  EXPECT_EQ(l.joined(), "start:a start:b fail:c stop:b:shutdown stop:a:shutdown");
}

TEST(Supervisor, FailedStartKillsNonTrappingCaller) {  // S20
  World w;
  Lab l;
  l.next_init["a"] = {atom("nope")};
  Pid caller = w.spawn([&](Process& self) -> Proc {
    co_await supervisor::start_link(self, {}, {spec(l, "a")});
    co_await self.sleep(100);
  });
  w.run();
  EXPECT_EQ(w.exit_reason(caller)->to_string(), "{shutdown,{failed_to_start_child,a,nope}}");
}

// Measured on OTP 25: supervisor:do_start_child_i takes the start function's result with
// `catch apply(M, F, A)`, so a start function that raises or exits gives {'EXIT', R}.
TEST(Supervisor, StartFunctionThatThrowsFailsWithItsExitTerm) {  // S20, S31
  World w;
  Lab l;
  auto throwing = [](Term id, bool as_exit) {
    return ChildSpec{.id = id, .start = [as_exit](Process&) -> Task<StartResult> {
                       if (as_exit) throw Exit(atom("bad"));
                       throw std::runtime_error("bad");
                     }};
  };
  std::string at_start, added, raised;
  run_test(w, [&](Process& self) -> Task<void> {
    at_start = (co_await supervisor::start_link(self, {}, {spec(l, "a"), throwing(atom("b"), true)})).to_term().to_string();
    Pid sup = (co_await supervisor::start_link(self, {}, {})).pid;
    added = (co_await supervisor::start_child(self, sup, throwing(atom("c"), true))).to_string();
    raised = (co_await supervisor::start_child(self, sup, throwing(atom("d"), false))).to_string();
  });
  EXPECT_EQ(at_start, "{error,{shutdown,{failed_to_start_child,b,{'EXIT',bad}}}}");
  EXPECT_TRUE(added.starts_with("{error,{{'EXIT',bad},[{id,c}")) << added;
  EXPECT_TRUE(raised.starts_with("{error,{{'EXIT',{error,\"bad\"}},[{id,d}")) << raised;
}

TEST(Supervisor, IgnoreKeepsNonTemporarySpecDropsTemporary) {  // S21
  World w;
  Lab l;
  l.next_init["a"] = {atom("ignore")};
  l.next_init["t"] = {atom("ignore")};
  std::string kids;
  run_test(w, [&](Process& self) -> Task<void> {
    auto r = co_await supervisor::start_link(self, {}, {spec(l, "a"), spec(l, "t", {.restart = Restart::temporary})});
    kids = (co_await supervisor::which_children(self, r.pid)).to_string();
  });
  EXPECT_EQ(kids, "[{a,undefined,worker,[]}]");
}

TEST(Supervisor, DuplicateIdAndInvalidSpecsAreRejected) {  // S22
  World w;
  Lab l;
  std::vector<std::string> got;
  run_test(w, [&](Process& self) -> Task<void> {
    got.push_back((co_await supervisor::start_link(self, {}, {spec(l, "a"), spec(l, "a")})).to_term().to_string());
    ChildSpec no_start{.id = atom("x")};
    got.push_back((co_await supervisor::start_link(self, {}, {no_start})).to_term().to_string());
    got.push_back(
        (co_await supervisor::start_link(self, {}, {spec(l, "n", {.shutdown = Shutdown::timeout(-1)})})).to_term().to_string());
    got.push_back((co_await supervisor::start_link(self, {.max_restarts = -1}, {})).to_term().to_string());
  });
  EXPECT_EQ(got, (std::vector<std::string>{"{error,{start_spec,{duplicate_child_name,a}}}",
                                           "{error,{start_spec,missing_start}}",
                                           "{error,{start_spec,{invalid_shutdown,-1}}}",
                                           "{error,{supervisor_data,{invalid_intensity,-1}}}"}));
  EXPECT_TRUE(l.events.empty());
}

TEST(Supervisor, ShutdownKillsChildThatOutlivesItsShutdownTime) {  // S23
  World w({.trace = true});
  Lab l;
  Pid slow{}, sup{};
  int64_t stopped_at = -1;
  run_test(w, [&](Process& self) -> Task<void> {
    sup = (co_await supervisor::start_link(
               self, {}, {spec(l, "slow", {.shutdown = Shutdown::timeout(200), .stop_delay_ms = 10'000})}))
              .pid;
    slow = co_await child_pid(self, sup, "slow");
    self.exit(sup, atom("shutdown"));
    co_await self.receive([](const Message& m) { return m.is<ExitMsg>(); });
    stopped_at = self.now_ms();
  });
  EXPECT_EQ(w.exit_reason(slow)->to_string(), "killed");
  EXPECT_EQ(stopped_at, 200);
  EXPECT_EQ(w.exit_reason(sup)->to_string(), "shutdown");
  bool reported = false;
  for (const auto& line : w.trace_lines())
    reported |= line.find("\"report\":\"shutdown_error\"") != std::string::npos &&
                line.find("\"reason\":\"killed\"") != std::string::npos;
  EXPECT_TRUE(reported);
}

TEST(Supervisor, ShutdownOrderIsReverseStartOrderAndBrutalKillKills) {  // S23
  World w;
  Lab l;
  Pid b{};
  run_test(w, [&](Process& self) -> Task<void> {
    Pid sup = (co_await supervisor::start_link(
                   self, {}, {spec(l, "a"), spec(l, "b", {.shutdown = Shutdown::brutal_kill()}), spec(l, "c")}))
                  .pid;
    b = co_await child_pid(self, sup, "b");
    self.exit(sup, atom("shutdown"));
    co_await self.receive([](const Message& m) { return m.is<ExitMsg>(); });
  });
  EXPECT_EQ(l.joined(), "start:a start:b start:c stop:c:shutdown stop:a:shutdown");
  EXPECT_EQ(w.exit_reason(b)->to_string(), "killed");
}

TEST(Supervisor, RestartTypesDecideOnTheExitReason) {  // S24
  World w;
  Lab l;
  std::string kids;
  run_test(w, [&](Process& self) -> Task<void> {
    Pid sup = (co_await supervisor::start_link(
                   self, {.max_restarts = 100},
                   {spec(l, "p"), spec(l, "tn", {.restart = Restart::transient}),
                    spec(l, "ta", {.restart = Restart::transient}), spec(l, "ts", {.restart = Restart::transient}),
                    spec(l, "tmp", {.restart = Restart::temporary})}))
                  .pid;
    l.events.clear();
    co_await crash(self, sup, "p", atom("normal"));                                 // permanent: restarted
    co_await crash(self, sup, "tn", atom("normal"));                                // transient normal: kept, undefined
    co_await crash(self, sup, "ts", tuple(atom("shutdown"), atom("bye")));          // transient {shutdown,_}: not restarted
    co_await crash(self, sup, "ta", atom("boom"));                                  // transient abnormal: restarted
    co_await crash(self, sup, "tmp", atom("boom"));                                 // temporary: spec deleted
    kids = (co_await supervisor::which_children(self, sup)).to_string();
  });
  EXPECT_EQ(l.joined(),
            "crash:p stop:p:normal start:p crash:tn stop:tn:normal crash:ts stop:ts:{shutdown,bye} "
            "crash:ta stop:ta:boom start:ta crash:tmp stop:tmp:boom");
  // tn and ts keep their specs with pid undefined; tmp is gone.
  EXPECT_NE(kids.find("{ts,undefined,worker,[]}"), std::string::npos) << kids;
  EXPECT_NE(kids.find("{tn,undefined,worker,[]}"), std::string::npos) << kids;
  EXPECT_EQ(kids.find("tmp"), std::string::npos) << kids;
}

TEST(Supervisor, OneForOneRestartsOnlyTheExitedChild) {  // S25
  World w;
  Lab l;
  run_test(w, [&](Process& self) -> Task<void> {
    Pid sup = (co_await supervisor::start_link(self, {}, {spec(l, "a"), spec(l, "b"), spec(l, "c")})).pid;
    l.events.clear();
    co_await crash(self, sup, "b", crashed());
  });
  EXPECT_EQ(l.joined(), "crash:b start:b");
}

TEST(Supervisor, OneForAllTerminatesOthersInReverseThenRestartsAllInOrder) {  // S26
  World w;
  Lab l;
  std::string kids;
  run_test(w, [&](Process& self) -> Task<void> {
    Pid sup = (co_await supervisor::start_link(
                   self, {.strategy = Strategy::one_for_all},
                   {spec(l, "a"), spec(l, "b"), spec(l, "c"), spec(l, "d", {.restart = Restart::temporary}),
                    spec(l, "e", {.restart = Restart::transient})}))
                  .pid;
    co_await crash(self, sup, "e", atom("normal"));  // transient exited normally: spec stays
    co_await supervisor::terminate_child(self, sup, atom("a"));  // stopped by hand: spec stays
    l.events.clear();
    co_await crash(self, sup, "b", crashed());
    kids = (co_await supervisor::which_children(self, sup)).to_string();
  });
  // d (temporary) is terminated and removed; a and e are restarted although they were stopped.
  EXPECT_EQ(l.joined(), "crash:b stop:d:shutdown stop:c:shutdown start:a start:b start:c start:e");
  EXPECT_EQ(kids.find("{d,"), std::string::npos);
}

TEST(Supervisor, RestForOneRestartsTheExitedAndLaterChildren) {  // S27
  World w;
  Lab l;
  run_test(w, [&](Process& self) -> Task<void> {
    Pid sup = (co_await supervisor::start_link(self, {.strategy = Strategy::rest_for_one},
                                               {spec(l, "a"), spec(l, "b"), spec(l, "c"), spec(l, "d")}))
                  .pid;
    co_await supervisor::terminate_child(self, sup, atom("d"));
    l.events.clear();
    co_await crash(self, sup, "b", crashed());
  });
  EXPECT_EQ(l.joined(), "crash:b stop:c:shutdown start:b start:c start:d");
}

TEST(Supervisor, IntensityAllowsExactlyMaxRestartsThenEscalates) {  // S28
  World w({.trace = true});
  Lab l;
  Pid sup{};
  std::string exit_seen;
  run_test(w, [&](Process& self) -> Task<void> {
    sup = (co_await supervisor::start_link(self, {.max_restarts = 3, .max_seconds = 5},
                                           {spec(l, "a"), spec(l, "b")}))
              .pid;
    for (int i = 0; i < 3; ++i) co_await crash(self, sup, "a", crashed());
    EXPECT_TRUE(self.node().alive(sup));
    l.events.clear();
    co_await crash(self, sup, "a", crashed());  // the 4th within 5 s
    auto m = co_await self.receive([sup](const Message& m) {
      const auto* e = m.get<ExitMsg>();
      return e && e->from == sup;
    });
    exit_seen = m->get<ExitMsg>()->reason.to_string();
  });
  EXPECT_EQ(exit_seen, "shutdown");  // S28: the supervisor exits with `shutdown`
  EXPECT_EQ(l.joined(), "crash:a stop:b:shutdown");
}

TEST(Supervisor, IntensityWindowIsInclusiveInWholeSeconds) {  // S28
  // max_restarts 1 in 2 s. Restarts at 0.5 s (second 0) and 2.9 s (second 2): 0 >= 2 - 2
  // is kept, so two restarts in the window: escalate. Same at 3.0 s (second 3): 0 < 1,
  // dropped, so it survives.
  for (int64_t second_at : {2900, 3000}) {
    World w;
    Lab l;
    Pid sup{};
    run_test(w, [&](Process& self) -> Task<void> {
      sup = (co_await supervisor::start_link(self, {.max_restarts = 1, .max_seconds = 2}, {spec(l, "a")})).pid;
      co_await self.sleep(500 - self.now_ms());
      co_await crash(self, sup, "a", crashed());
      co_await self.sleep(second_at - self.now_ms());
      co_await crash(self, sup, "a", crashed());
      co_await self.sleep(10);
    });
    EXPECT_EQ(w.alive(sup), second_at == 3000) << "second crash at " << second_at << " ms";
  }
}

TEST(Supervisor, ZeroMaxRestartsEscalatesOnFirstRestart) {  // S28
  World w;
  Lab l;
  Pid sup{};
  run_test(w, [&](Process& self) -> Task<void> {
    sup = (co_await supervisor::start_link(self, {.max_restarts = 0},
                                           {spec(l, "t", {.restart = Restart::transient})}))
              .pid;
    co_await crash(self, sup, "t", atom("normal"));  // needs no restart: no escalation
    co_await supervisor::restart_child(self, sup, atom("t"));
    EXPECT_TRUE(self.node().alive(sup));
    co_await crash(self, sup, "t", crashed());
  });
  EXPECT_FALSE(w.alive(sup));
  EXPECT_EQ(w.exit_reason(sup)->to_string(), "shutdown");
}

TEST(Supervisor, FailedRestartIsRetriedAndCountsTowardIntensity) {  // S29
  World w;
  Lab l;
  std::string kids_after;
  Pid sup{};
  run_test(w, [&](Process& self) -> Task<void> {
    sup = (co_await supervisor::start_link(self, {.max_restarts = 5}, {spec(l, "a")})).pid;
    l.events.clear();
    l.next_init["a"] = {atom("down1"), atom("down2")};
    co_await crash(self, sup, "a", crashed());
    kids_after = (co_await supervisor::which_children(self, sup)).to_string();
  });
  EXPECT_EQ(l.joined(), "crash:a fail:a fail:a start:a");
  EXPECT_TRUE(w.alive(sup));
  // Three restart attempts, all counted: a fourth exit would still fit in 5, a sixth not.
  World w2;
  Lab l2;
  Pid sup2{};
  run_test(w2, [&](Process& self) -> Task<void> {
    sup2 = (co_await supervisor::start_link(self, {.max_restarts = 2}, {spec(l2, "a")})).pid;
    l2.next_init["a"] = {atom("down1"), atom("down2")};
    co_await crash(self, sup2, "a", crashed());
  });
  EXPECT_FALSE(w2.alive(sup2));  // 3 attempts > 2
}

TEST(Supervisor, TransientSupervisorChildIsNotRestartedAfterEscalating) {  // S30
  World w;
  Lab l;
  std::string kids;
  run_test(w, [&](Process& self) -> Task<void> {
    ChildSpec inner = supervisor::supervisor_spec(atom("inner"), {.max_restarts = 0}, {spec(l, "x")});
    inner.restart = Restart::transient;
    Pid top = (co_await supervisor::start_link(self, {}, {inner, spec(l, "y")})).pid;
    Pid in = co_await child_pid(self, top, "inner");
    l.events.clear();
    co_await crash(self, in, "x", crashed());
    kids = (co_await supervisor::which_children(self, top)).to_string();
  });
  EXPECT_EQ(l.joined(), "crash:x");
  EXPECT_NE(kids.find("{inner,undefined,supervisor,[]}"), std::string::npos) << kids;
}

TEST(Supervisor, ApiResultsMatchOtp) {  // S31
  World w;
  Lab l;
  std::vector<std::string> got;
  Pid sup{};
  run_test(w, [&](Process& self) -> Task<void> {
    sup = (co_await supervisor::start_link(self, {}, {spec(l, "a")})).pid;
    auto say = [&](const Term& t) { got.push_back(t.to_string()); };
    Pid a = co_await child_pid(self, sup, "a");
    say(co_await supervisor::start_child(self, sup, spec(l, "a")));
    say(co_await supervisor::restart_child(self, sup, atom("a")));
    say(co_await supervisor::delete_child(self, sup, atom("a")));
    say(co_await supervisor::terminate_child(self, sup, atom("a")));
    say(co_await supervisor::start_child(self, sup, spec(l, "a")));
    say(co_await supervisor::terminate_child(self, sup, atom("nope")));
    say(co_await supervisor::restart_child(self, sup, atom("nope")));
    say(co_await supervisor::delete_child(self, sup, atom("nope")));
    l.next_init["b"] = {atom("ignore")};
    say(co_await supervisor::start_child(self, sup, spec(l, "b")));
    l.next_init["c"] = {atom("bad")};
    Term failed = co_await supervisor::start_child(self, sup, spec(l, "c"));
    say(failed[0]);
    say(failed[1][0]);
    say(co_await supervisor::count_children(self, sup));
    say(co_await supervisor::which_children(self, sup));
    say(co_await supervisor::get_childspec(self, sup, atom("zzz")));
    say(co_await supervisor::delete_child(self, sup, atom("a")));
    say(co_await supervisor::count_children(self, sup));
    (void)a;
  });
  ASSERT_EQ(got.size(), 16u);
  EXPECT_EQ(got[0].rfind("{error,{already_started,<0.", 0), 0u);
  EXPECT_EQ(got[1], "{error,running}");
  EXPECT_EQ(got[2], "{error,running}");
  EXPECT_EQ(got[3], "ok");
  EXPECT_EQ(got[4], "{error,already_present}");
  EXPECT_EQ(got[5], "{error,not_found}");
  EXPECT_EQ(got[6], "{error,not_found}");
  EXPECT_EQ(got[7], "{error,not_found}");
  EXPECT_EQ(got[8], "{ok,undefined}");
  EXPECT_EQ(got[9], "error");
  EXPECT_EQ(got[10], "bad");
  EXPECT_EQ(got[11], "[{specs,2},{active,0},{supervisors,0},{workers,2}]");
  EXPECT_EQ(got[12], "[{b,undefined,worker,[]},{a,undefined,worker,[]}]");  // newest first
  EXPECT_EQ(got[13], "{error,not_found}");
  EXPECT_EQ(got[14], "ok");
  EXPECT_EQ(got[15], "[{specs,1},{active,0},{supervisors,0},{workers,1}]");
}

// The same calls as an Erlang program run on OTP 25 (erts 13.1.5); each expected line below is
// what it printed, with pids shown as `pid` and module lists left out (ours are empty).
TEST(Supervisor, ApiSequenceMatchesWhatOtpPrinted) {  // S21, S24, S31
  World w;
  Lab l;
  std::vector<std::string> got;
  run_test(w, [&](Process& self) -> Task<void> {
    auto say = [&](const std::string& label, const Term& t) {
      std::string text = t.to_string(), out;
      // <0.N.0> -> pid, and drop ",[]" module lists, to compare with the BEAM's printout
      for (size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 3, "<0.") == 0) {
          out += "pid";
          i = text.find('>', i);
        } else if (text.compare(i, 3, ",[]") == 0 && i + 3 < text.size() && text[i + 3] == '}') {
          i += 2;
        } else {
          out += text[i];
        }
      }
      got.push_back(label + ": " + out);
    };
    Pid sup = (co_await supervisor::start_link(self, {.max_restarts = 10},
                                               {spec(l, "a"), spec(l, "b", {.restart = Restart::temporary}),
                                                spec(l, "c", {.restart = Restart::transient})})).pid;
    say("1", co_await supervisor::start_child(self, sup, spec(l, "c", {.restart = Restart::transient})));
    say("2", co_await supervisor::terminate_child(self, sup, atom("a")));
    say("3", co_await supervisor::start_child(self, sup, spec(l, "a")));
    say("4", co_await supervisor::restart_child(self, sup, atom("a")));
    say("5", co_await supervisor::terminate_child(self, sup, atom("b")));
    say("5b", co_await supervisor::which_children(self, sup));
    say("6", co_await supervisor::restart_child(self, sup, atom("b")));
    say("7", co_await supervisor::delete_child(self, sup, atom("a")));
    say("8", co_await supervisor::terminate_child(self, sup, atom("a")));
    say("8b", co_await supervisor::delete_child(self, sup, atom("a")));
    say("9", co_await supervisor::restart_child(self, sup, atom("c")));
    say("10", co_await supervisor::count_children(self, sup));
    Pid c = co_await child_pid(self, sup, "c");
    say("11", co_await supervisor::terminate_child(self, sup, Term(c)));
    say("11b", co_await supervisor::which_children(self, sup));
    say("12", co_await supervisor::delete_child(self, sup, atom("zz")));
    say("13", co_await supervisor::terminate_child(self, sup, atom("zz")));
    say("14", co_await supervisor::restart_child(self, sup, atom("zz")));
    l.next_init["ignore_me"] = {atom("ignore"), atom("ignore")};
    say("15", co_await supervisor::start_child(self, sup, spec(l, "ignore_me")));
    say("15b", co_await supervisor::which_children(self, sup));
    say("15c", co_await supervisor::restart_child(self, sup, atom("ignore_me")));
    l.next_init["t2"] = {atom("ignore")};
    say("16", co_await supervisor::start_child(self, sup, spec(l, "t2", {.restart = Restart::temporary})));
    say("16b", co_await supervisor::which_children(self, sup));
    say("18", co_await supervisor::get_childspec(self, sup, atom("zz")));
    say("19", co_await supervisor::count_children(self, sup));
    say("20", co_await supervisor::terminate_child(self, sup, atom("c")));
    say("21", co_await supervisor::terminate_child(self, sup, atom("c")));
    say("22", co_await supervisor::restart_child(self, sup, atom("c")));
    say("23", co_await supervisor::delete_child(self, sup, atom("ignore_me")));
    say("24", co_await supervisor::which_children(self, sup));
  });
  const std::vector<std::string> otp = {
      "1: {error,{already_started,pid}}",
      "2: ok",
      "3: {error,already_present}",
      "4: {ok,pid}",
      "5: ok",
      "5b: [{c,pid,worker},{a,pid,worker}]",
      "6: {error,not_found}",
      "7: {error,running}",
      "8: ok",
      "8b: ok",
      "9: {error,running}",
      "10: [{specs,1},{active,1},{supervisors,0},{workers,1}]",
      "11: {error,not_found}",
      "11b: [{c,pid,worker}]",
      "12: {error,not_found}",
      "13: {error,not_found}",
      "14: {error,not_found}",
      "15: {ok,undefined}",
      "15b: [{ignore_me,undefined,worker},{c,pid,worker}]",
      "15c: {ok,undefined}",
      "16: {ok,undefined}",
      "16b: [{ignore_me,undefined,worker},{c,pid,worker}]",
      "18: {error,not_found}",
      "19: [{specs,2},{active,1},{supervisors,0},{workers,2}]",
      "20: ok",
      "21: ok",
      "22: {ok,pid}",
      "23: ok",
      "24: [{c,pid,worker}]",
  };
  EXPECT_EQ(got, otp);
}

TEST(Supervisor, AutoShutdownOnSignificantChildren) {  // S32
  for (auto mode : {AutoShutdown::any_significant, AutoShutdown::all_significant}) {
    World w;
    Lab l;
    Pid sup{};
    bool alive_after_first = false;
    run_test(w, [&](Process& self) -> Task<void> {
      sup = (co_await supervisor::start_link(
                 self, {.auto_shutdown = mode},
                 {spec(l, "s1", {.restart = Restart::transient, .significant = true}),
                  spec(l, "s2", {.restart = Restart::temporary, .significant = true}), spec(l, "p")}))
                .pid;
      co_await crash(self, sup, "s1", atom("normal"));
      alive_after_first = self.node().alive(sup);
      co_await crash(self, sup, "s2", atom("normal"));
    });
    EXPECT_EQ(alive_after_first, mode == AutoShutdown::all_significant);
    EXPECT_FALSE(w.alive(sup));
    EXPECT_EQ(w.exit_reason(sup)->to_string(), "shutdown");
  }
}

TEST(Supervisor, ChildExitingWhileBeingTerminated) {  // S23: the race is reported, not hung
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w({.seed = seed});
    Lab l;
    std::string r;
    run_test(w, [&](Process& self) -> Task<void> {
      Pid sup = (co_await supervisor::start_link(self, {}, {spec(l, "a", {.trap = false})})).pid;
      Pid a = co_await child_pid(self, sup, "a");
      self.exit(a, atom("boom"));  // races with the terminate below
      r = (co_await supervisor::terminate_child(self, sup, atom("a"))).to_string();
    });
    EXPECT_EQ(r, "ok") << "seed " << seed;
  }
}
