// Processes, exit signals, links, monitors, names: SEMANTICS S1-S5, S7.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <otpsim/sim/world.hpp>

#include "name_holder.hpp"

using namespace otp;
using otp::sim::World;
using otp::test_support::got_from;
using otp::test_support::start_holder;

namespace {

// A process that waits forever.
Proc idle(Process& self) { co_await self.receive_any(); }

Body forever() { return [](Process& self) { return idle(self); }; }

}  // namespace

TEST(Kernel, ReturningIsNormalExitThrowingIsErrorTuple) {  // S1
  World w;
  Pid a = w.spawn([](Process&) -> Proc { co_return; });
  Pid b = w.spawn([](Process&) -> Proc {
    throw std::runtime_error("boom");
    co_return;
  });
  Pid c = w.spawn([](Process& self) -> Proc {
    self.exit(tuple(atom("shutdown"), atom("bye")));
    co_return;
  });
  Pid d = w.spawn([](Process&) -> Proc {
    throw 42;  // no what() to give
    co_return;
  });
  w.run();
  EXPECT_EQ(w.exit_reason(a)->to_string(), "normal");
  EXPECT_EQ(w.exit_reason(b)->to_string(), "{error,\"boom\"}");
  EXPECT_EQ(w.exit_reason(c)->to_string(), "{shutdown,bye}");
  EXPECT_EQ(w.exit_reason(d)->to_string(), "{error,unknown}");
}

TEST(Kernel, SendAndSelectiveReceive) {  // S5
  World w;
  std::vector<std::string> got;
  Pid r = w.spawn([&](Process& self) -> Proc {
    // Take `b` first although `a` arrived earlier: selective receive.
    auto m1 = co_await self.receive([](const Message& m) { return m.to_term() == atom("b"); });
    got.push_back(m1->to_term().to_string());
    auto m2 = co_await self.receive_any();
    got.push_back(m2->to_term().to_string());
  });
  w.spawn([r](Process& self) -> Proc {
    self.send(r, atom("a"));
    self.send(r, atom("b"));
    co_return;
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"b", "a"}));
  EXPECT_FALSE(w.alive(r));
}

// The receive marker: receive_after(mark) looks only at what arrived after the mark (the
// messages before stay, in order); demonitor(flush) of an ended monitor removes its one DOWN.
TEST(Kernel, ReceiveAfterAMarkSkipsOlderMessagesAndFlushTakesOneDown) {  // S4, S5
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    self.send(self.self(), atom("old"));
    co_await self.sleep(1);  // (a signal to oneself is in flight until delivered)
    size_t mark = self.receive_mark();
    self.send(self.self(), atom("new"));
    auto m = co_await self.receive_after(mark, [](const Message& m) { return m.get<Term>() != nullptr; });
    got.push_back(m->to_term().to_string());  // new: old is before the mark
    Pid gone = self.spawn([](Process&) -> Proc { co_return; });
    Ref ref = self.monitor(gone);
    co_await self.sleep(1);  // its DOWN is in the mailbox now
    self.send(self.self(), atom("after_down"));
    co_await self.sleep(1);
    self.demonitor(ref, true);
    while (auto rest = co_await self.receive_any(0)) got.push_back(rest->to_term().to_string());
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"new", "old", "after_down"}));
}

// A receive already waiting when messages arrive: it gets the first that matches, the rest stay
// in arrival order, and its filter sees each arrival once (not again when the receive returns).
TEST(Kernel, WaitingReceiveTakesTheFirstMatchingArrival) {  // S5
  World w;
  std::vector<std::string> got;
  int filter_calls = 0;
  Pid r = w.spawn([&](Process& self) -> Proc {
    auto m = co_await self.receive([&](const Message& m) {
      ++filter_calls;
      const Term* t = m.get<Term>();
      return t && t->is_tuple(2) && (*t)[0].is_atom("job");
    });
    got.push_back(m->to_term().to_string());
    for (int i = 0; i < 3; ++i) got.push_back((co_await self.receive_any())->to_term().to_string());
  });
  w.spawn([r](Process& self) -> Proc {
    co_await self.sleep(5);  // r is waiting by now
    self.send(r, atom("noise"));
    self.send(r, tuple(atom("job"), integer(1)));
    self.send(r, atom("more"));
    self.send(r, tuple(atom("job"), integer(2)));
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"{job,1}", "noise", "more", "{job,2}"}));
  EXPECT_EQ(filter_calls, 2);  // noise, then {job,1}: the later two arrive after the match
}

TEST(Kernel, OrderBetweenOnePairIsKeptUnderEverySeed) {  // S5
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    World w({.seed = seed});
    std::vector<int64_t> got;
    Pid r = w.spawn([&](Process& self) -> Proc {
      for (int i = 0; i < 20; ++i) got.push_back((co_await self.receive_any())->to_term().integer_value());
    });
    w.spawn([r](Process& self) -> Proc {
      for (int i = 0; i < 20; ++i) self.send(r, integer(i));
      co_return;
    });
    w.run();
    ASSERT_EQ(got.size(), 20u);
    for (int i = 0; i < 20; ++i) ASSERT_EQ(got[i], i) << "seed " << seed;
  }
}

TEST(Kernel, ExitKillIsUntrappableAndLinksSeeKilled) {  // S2, S3
  World w;
  Pid watcher{};
  Pid target{};
  std::string seen;
  watcher = w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    target = self.spawn_link([](Process& s) -> Proc {
      s.trap_exit(true);  // trapping does not help against kill
      co_await s.receive_any();
    });
    self.exit(target, atom("kill"));
    auto m = co_await self.receive([](const Message& m) { return m.is<ExitMsg>(); });
    seen = m->to_term().to_string();
  });
  w.run();
  EXPECT_EQ(w.exit_reason(target)->to_string(), "killed");
  EXPECT_EQ(seen, "{'EXIT'," + Term(target).to_string() + ",killed}");
}

TEST(Kernel, ExitNormalIgnoredUnlessTrappingOrSelf) {  // S2
  World w;
  Pid victim = w.spawn(forever());
  Pid trapper = w.spawn([](Process& self) -> Proc {
    self.trap_exit(true);
    co_await self.receive_any();  // the {'EXIT', From, normal} message
    co_await self.receive_any();
  });
  Pid selfish = w.spawn([](Process& self) -> Proc {
    self.exit(self.self(), atom("normal"));
    co_await self.receive_any();
  });
  w.spawn([=](Process& self) -> Proc {
    self.exit(victim, atom("normal"));
    self.exit(trapper, atom("normal"));
    co_return;
  });
  w.run();
  EXPECT_TRUE(w.alive(victim));
  EXPECT_TRUE(w.alive(trapper));
  EXPECT_EQ(w.exit_reason(selfish)->to_string(), "normal");
}

// On the BEAM no catch takes exit(self(), R) (when not trapping, or R = kill): the process ends.
TEST(Kernel, ExitSignalToItselfIsNotCaught) {  // S2
  World w;
  std::vector<std::string> ran;
  Pid plain = w.spawn([&](Process& self) -> Proc {
    try {
      self.exit(self.self(), atom("foo"));
    } catch (const Exit&) {
      ran.push_back("caught as an Exit");
    } catch (const std::exception&) {
      ran.push_back("caught as a std::exception");
    }
    ran.push_back("went on");
    co_return;
  });
  Pid trapping = w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    try {
      self.exit(self.self(), atom("kill"));
    } catch (const Exit&) {
      ran.push_back("kill caught");
    }
    co_return;
  });
  w.run();
  EXPECT_TRUE(ran.empty()) << ran.front();
  EXPECT_EQ(w.exit_reason(plain)->to_string(), "foo");
  EXPECT_EQ(w.exit_reason(trapping)->to_string(), "killed");
}

TEST(Kernel, ExitWithReasonKillsNonTrappingTarget) {  // S2
  World w;
  Pid victim = w.spawn(forever());
  w.spawn([=](Process& self) -> Proc {
    self.exit(victim, atom("boom"));
    co_return;
  });
  w.run();
  EXPECT_EQ(w.exit_reason(victim)->to_string(), "boom");
}

TEST(Kernel, LinkPropagatesAbnormalExitButNotNormal) {  // S3
  World w;
  Pid a{}, b{}, c{}, d{};
  w.spawn([&](Process& self) -> Proc {
    a = self.spawn(forever());
    b = self.spawn([&](Process& s) -> Proc {
      s.link(a);
      co_await s.sleep(10);
      throw std::runtime_error("crash");
    });
    c = self.spawn(forever());
    d = self.spawn([&](Process& s) -> Proc {
      s.link(c);
      co_await s.sleep(10);
    });
    co_return;
  });
  w.run();
  EXPECT_EQ(w.exit_reason(a)->to_string(), "{error,\"crash\"}");
  EXPECT_TRUE(w.alive(c));
  EXPECT_EQ(w.exit_reason(d)->to_string(), "normal");
}

TEST(Kernel, ExitingWithKillSendsTrappableKillToLinks) {  // S3
  World w;
  std::string seen;
  Pid nontrap{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    self.spawn_link([](Process& s) -> Proc {
      s.exit(atom("kill"));
      co_return;
    });
    seen = (co_await self.receive_any())->to_term()[2].to_string();
    nontrap = self.spawn([](Process& s) -> Proc {
      s.spawn_link([](Process& k) -> Proc {
        k.exit(atom("kill"));
        co_return;
      });
      co_await s.receive_any();
    });
  });
  w.run();
  EXPECT_EQ(seen, "kill");  // not `killed`: the dying process's own reason
  EXPECT_EQ(w.exit_reason(nontrap)->to_string(), "kill");
}

TEST(Kernel, LinkToDeadPidYieldsNoproc) {  // S3
  World w;
  std::string seen;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid gone = self.spawn([](Process&) -> Proc { co_return; });
    co_await self.sleep(1);
    self.link(gone);
    seen = (co_await self.receive_any())->to_term().to_string();
  });
  w.run();
  EXPECT_NE(seen.find("noproc"), std::string::npos) << seen;
  EXPECT_EQ(seen.rfind("{'EXIT',", 0), 0u) << seen;
}

// Measured on OTP 25: link(Dead) then `receive {'EXIT', Dead, noproc} -> ... after 0 -> ...`
// finds the EXIT 1000 times of 1000 (link/1 delivers it itself), in every schedule.
TEST(Kernel, TrappingLinkToDeadPidFindsTheExitAtOnce) {  // S3
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    World w({.seed = seed});
    std::string seen;
    w.spawn([&](Process& self) -> Proc {
      self.trap_exit(true);
      auto [gone, mon] = self.spawn_monitor([](Process&) -> Proc { co_return; });
      co_await self.receive(down_of(mon));
      self.link(gone);
      auto m = co_await self.receive(exit_from(gone), 0);
      seen = m ? m->to_term().to_string() : "nothing";
      if (m) seen += self.relations().links.contains(gone) ? " linked" : " unlinked";
    });
    w.run();
    EXPECT_EQ(seen.substr(0, 8), "{'EXIT',") << "seed " << seed << ": " << seen;
    EXPECT_NE(seen.find(",noproc} unlinked"), std::string::npos) << "seed " << seed << ": " << seen;
  }
}

TEST(Kernel, NonTrappingLinkToDeadPidFailsWithNoproc) {  // S3, measured on OTP 25
  World w;
  bool after_link = false;
  Pid p = w.spawn([&](Process& self) -> Proc {
    Pid gone = self.spawn([](Process&) -> Proc { co_return; });
    co_await self.sleep(1);
    self.link(gone);
    after_link = true;
  });
  w.run();
  EXPECT_FALSE(after_link);
  EXPECT_EQ(w.exit_reason(p)->to_string(), "noproc");
}

TEST(Kernel, UnlinkStopsPropagation) {  // S3
  World w;
  Pid survivor{};
  w.spawn([&](Process& self) -> Proc {
    Pid crasher = self.spawn([](Process& s) -> Proc {
      co_await s.sleep(5);
      s.exit(atom("boom"));
    });
    survivor = self.spawn([crasher](Process& s) -> Proc {
      s.link(crasher);
      s.unlink(crasher);
      co_await s.receive_any();
    });
    co_return;
  });
  w.run();
  EXPECT_TRUE(w.alive(survivor));
}

TEST(Kernel, MonitorDeliversDownAndNoprocForDeadPid) {  // S4
  World w;
  std::vector<std::string> seen;
  w.spawn([&](Process& self) -> Proc {
    auto [pid, ref] = self.spawn_monitor([](Process& s) -> Proc {
      s.exit(atom("bye"));
      co_return;
    });
    auto m = co_await self.receive_any();
    const auto* d = m->get<DownMsg>();
    seen.push_back(d && d->ref == ref && d->pid == pid ? d->reason.to_string() : "?");
    Ref r2 = self.monitor(pid);  // already dead
    m = co_await self.receive_any();
    d = m->get<DownMsg>();
    seen.push_back(d && d->ref == r2 ? d->reason.to_string() : "?");
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"bye", "noproc"}));
}

TEST(Kernel, DemonitorFlushRemovesQueuedDown) {  // S4
  World w;
  bool got_down = true;
  w.spawn([&](Process& self) -> Proc {
    auto [pid, ref] = self.spawn_monitor([](Process&) -> Proc { co_return; });
    co_await self.sleep(10);  // the DOWN is in the mailbox by now
    self.demonitor(ref, true);
    auto m = co_await self.receive_any(0);
    got_down = m.has_value();
  });
  w.run();
  EXPECT_FALSE(got_down);
}

TEST(Kernel, DemonitorWithoutFlushGuaranteesNoLaterDown) {  // S4
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    World w({.seed = seed});
    bool got_down = true;
    w.spawn([&](Process& self) -> Proc {
      Pid t = self.spawn([](Process& s) -> Proc { co_await s.sleep(1); });
      Ref ref = self.monitor(t);
      self.demonitor(ref);
      auto m = co_await self.receive([](const Message& m) { return m.is<DownMsg>(); }, 50);
      got_down = m.has_value();
    });
    w.run();
    EXPECT_FALSE(got_down) << "seed " << seed;
  }
}

// Measured on OTP 25 (tools/beam_diff/null_pid.erl): `undefined ! M`, exit(undefined, R),
// link(undefined) and unlink(undefined) are badarg; monitor(process, undefined) is DOWN noproc.
TEST(Kernel, NoPidIsBadargButMonitorOfItIsNoproc) {  // S7
  World w;
  std::vector<Pid> callers;
  callers.push_back(w.spawn([](Process& self) -> Proc { self.send(self.whereis("nobody"), atom("hi")); co_return; }));
  callers.push_back(w.spawn([](Process& self) -> Proc { self.exit(Pid{}, atom("kill")); co_return; }));
  callers.push_back(w.spawn([](Process& self) -> Proc { self.trap_exit(true); self.link(Pid{}); co_return; }));
  callers.push_back(w.spawn([](Process& self) -> Proc { self.unlink(Pid{}); co_return; }));
  std::string down;
  Pid m = w.spawn([&down](Process& self) -> Proc {
    self.monitor(Pid{});
    auto got = co_await self.receive_any(0);
    down = got ? got->to_term().to_string() : "none";
  });
  w.run();
  for (Pid c : callers) EXPECT_EQ(w.exit_reason(c)->to_string(), "badarg");
  EXPECT_EQ(w.exit_reason(m)->to_string(), "normal");
  EXPECT_NE(down.find(",process,{undefined,nonode@nohost},noproc}"), std::string::npos) << down;
}

TEST(Kernel, RegisteredNames) {  // S7
  World w;
  std::string err;
  bool second_register = true;
  Pid named = w.spawn([&](Process& self) -> Proc {
    EXPECT_TRUE(self.register_name("db"));
    co_await self.receive_any();
  });
  w.run();
  Pid sender = w.spawn([&](Process& self) -> Proc {
    EXPECT_EQ(self.whereis("db"), named);
    second_register = self.register_name("db");
    self.send("db", atom("stop"));
    co_await self.sleep(10);
    EXPECT_EQ(self.whereis("db"), Pid{});  // freed on exit
    self.send("db", atom("again"));  // badarg
  });
  w.run();
  EXPECT_FALSE(second_register);
  EXPECT_EQ(w.exit_reason(named)->to_string(), "normal");
  EXPECT_EQ(w.exit_reason(sender)->to_string(), "badarg");
}

TEST(Kernel, ReceiveOutsideProcessIsUsageError) {
  World w;
  Pid p = w.spawn([](Process& self) -> Proc { co_await self.receive(nullptr, -5); });
  w.run();
  EXPECT_NE(w.exit_reason(p)->to_string().find("timeout must be"), std::string::npos);
}

// erlang:monitor(process, Name), as measured on OTP 25 (tools/beam_diff/monitor_name.erl, 200 of
// 200 each): the DOWN's object is {Name, node()}; a name nobody holds gives DOWN noproc at once;
// the monitor stays on the process that held the name when it was made.
TEST(Kernel, MonitorOfANameWatchesItsHolderAndNamesItInTheDown) {  // S4, S7
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w({.seed = seed});
    std::vector<std::string> seen;
    w.spawn([&](Process& self) -> Proc {
      Pid p = co_await start_holder(self, "srv");
      Ref ref = self.monitor("srv");
      self.send(p, tuple(atom("die"), atom("boom")));
      auto m = co_await self.receive(down_of(ref), 1000);
      const auto* d = m ? m->get<DownMsg>() : nullptr;
      seen.push_back(d ? m->to_term().to_string() : "no DOWN");
      seen.push_back(d && d->pid == p && d->ref == ref ? "holder" : "?");
      seen.push_back(Term(ref).to_string());
    });
    w.run();
    ASSERT_EQ(seen.size(), 3u) << "seed " << seed;
    EXPECT_EQ(seen[0], "{'DOWN'," + seen[2] + ",process,{srv,nonode@nohost},boom}") << "seed " << seed;
    EXPECT_EQ(seen[1], "holder") << "seed " << seed;
  }
}

TEST(Kernel, MonitorOfAnUnregisteredNameIsNoprocAtOnce) {  // S4, S7
  World w;
  std::vector<std::string> seen;
  w.spawn([&](Process& self) -> Proc {
    Ref ref = self.monitor("nobody");
    auto m = co_await self.receive_any(0);  // already in the mailbox, as on the BEAM
    const auto* d = m ? m->get<DownMsg>() : nullptr;
    seen.push_back(d && d->ref == ref ? d->reason.to_string() + " " + d->object.to_string() : "no DOWN");
    Ref again = self.monitor("nobody");
    self.demonitor(again, true);  // [flush] takes that DOWN back
    seen.push_back((co_await self.receive_any(0)) ? "left" : "flushed");
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"noproc {nobody,nonode@nohost}", "flushed"}));
}

TEST(Kernel, MonitorOfANameStaysOnTheProcessThatHeldIt) {  // S4, S7
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w({.seed = seed});
    std::vector<std::string> seen;
    w.spawn([&](Process& self) -> Proc {
      Pid p1 = co_await start_holder(self, "srv");
      Ref ref = self.monitor("srv");
      self.send(p1, atom("unregister"));
      self.send(p1, atom("sync"));
      co_await got_from(self, p1, infinity);  // p1 has given the name up
      Pid p2 = co_await start_holder(self, "srv");
      self.send(p2, tuple(atom("die"), atom("boom")));
      seen.push_back((co_await self.receive(down_of(ref), 50)) ? "DOWN for the new holder" : "none");
      self.send(p1, tuple(atom("die"), atom("later")));
      auto m = co_await self.receive(down_of(ref), 1000);
      seen.push_back(m ? m->get<DownMsg>()->reason.to_string() + " " + m->get<DownMsg>()->object.to_string() : "no DOWN");
    });
    w.run();
    EXPECT_EQ(seen, (std::vector<std::string>{"none", "later {srv,nonode@nohost}"})) << "seed " << seed;
  }
}

TEST(Kernel, DemonitorOfANameMonitorMeansNoDown) {  // S4
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w({.seed = seed});
    bool got_down = true;
    w.spawn([&](Process& self) -> Proc {
      Pid p = co_await start_holder(self, "srv");
      Ref ref = self.monitor("srv");
      self.demonitor(ref);
      self.send(p, tuple(atom("die"), atom("boom")));
      got_down = (co_await self.receive([](const Message& m) { return m.is<DownMsg>(); }, 50)).has_value();
    });
    w.run();
    EXPECT_FALSE(got_down) << "seed " << seed;
  }
}

TEST(Kernel, MonitorOfAnEmptyNameIsAUsageError) {  // S7
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    for (const std::string& name : {std::string(), std::string(300, 'x')}) {
      try {
        self.monitor(name);
      } catch (const UsageError& e) {
        got.push_back(std::string(e.what()).substr(0, 22));
      }
    }
    co_return;
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"monitor: an empty name", "monitor: a name longer"}));
}
