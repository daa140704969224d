// Registry: SEMANTICS S60.
#include <gtest/gtest.h>

#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

Proc hold(Process& self) { co_await self.receive([](const Message&) { return false; }); }

class Named : public GenServer {
 public:
  Task<Result> handle_call(Process& self, Message, From) override { co_return Result::reply(Term(self.self())); }
};

}  // namespace

TEST(Registry, UniqueKeysRegisterLookupAndConflict) {  // S60
  World w;
  std::vector<std::string> got;
  Pid reg{}, owner{};
  w.spawn([&](Process& self) -> Proc {
    reg = (co_await registry::start_link(self, {.name = "reg"})).pid;
    auto a = co_await registry::register_key(self, "reg", atom("room1"), integer(7));
    got.push_back(a.term.to_string());
    owner = self.spawn([&](Process& other) -> Proc {
      auto b = co_await registry::register_key(other, "reg", atom("room1"), integer(8));
      got.push_back(b.term.to_string());
      co_await hold(other);
    });
    co_await self.sleep(1);
    auto l = co_await registry::lookup(self, "reg", atom("room1"));
    got.push_back(std::to_string(l.size()) + ":" + l[0].second.to_string());
    got.push_back(std::to_string(co_await registry::count(self, "reg")));
    got.push_back(Term::list(co_await registry::keys(self, "reg", self.self())).to_string());
    co_await registry::unregister(self, "reg", atom("room1"));
    got.push_back(std::to_string((co_await registry::lookup(self, "reg", atom("room1"))).size()));
    co_await hold(self);
  });
  w.run();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0], "{ok," + Term(reg).to_string() + "}");
  EXPECT_EQ(got[1].rfind("{error,{already_registered,<0.", 0), 0u) << got[1];
  EXPECT_EQ(got[2], "1:7");
  EXPECT_EQ(got[3], "1");
  EXPECT_EQ(got[4], "[room1]");
  EXPECT_EQ(got[5], "0");
}

TEST(Registry, EntriesVanishWhenOwnerExitsAsynchronously) {  // S60
  // The registry learns of the death through an exit signal, so a lookup racing the death
  // may still see the dead owner under some interleavings, and never after it settled.
  bool saw_stale = false, saw_clean = false;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    World w({.seed = seed});
    size_t right_after = 99, later = 99;
    w.spawn([&](Process& self) -> Proc {
      co_await registry::start_link(self, {.name = "reg"});
      auto spawned = self.spawn_monitor([](Process& o) -> Proc {
        co_await registry::register_key(o, "reg", atom("k"), atom("v"));
      });
      Ref mref = spawned.second;
      co_await self.receive([mref](const Message& m) {
        const auto* d = m.get<DownMsg>();
        return d && d->ref == mref;
      });
      right_after = (co_await registry::lookup(self, "reg", atom("k"))).size();
      co_await self.sleep(1);
      later = (co_await registry::lookup(self, "reg", atom("k"))).size();
      co_await hold(self);
    });
    w.run();
    EXPECT_EQ(later, 0u) << "seed " << seed;
    saw_stale |= right_after == 1;
    saw_clean |= right_after == 0;
  }
  EXPECT_TRUE(saw_stale);
  EXPECT_TRUE(saw_clean);
}

TEST(Registry, RegisterReplacesAHolderThatIsDeadButNotYetCleanedUp) {  // S60
  // A registers k and is killed; B waits for A's DOWN, then registers k. A's EXIT may not have
  // reached the registry yet (EntriesVanishWhenOwnerExitsAsynchronously shows a lookup can
  // still find A then), but register must succeed: Elixir
  // checks Process.alive? on the holder (measured: {ok,_} 200 of 200). And the replacement must
  // survive A's late EXIT.
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    World w({.seed = seed});
    std::string got, owner_after;
    w.spawn([&](Process& self) -> Proc {
      co_await registry::start_link(self, {.name = "reg"});
      auto spawned = self.spawn_monitor([](Process& o) -> Proc {
        co_await registry::register_key(o, "reg", atom("k"), atom("a"));
        co_await hold(o);
      });
      Pid a = spawned.first;
      Ref mref = spawned.second;
      co_await self.sleep(1);
      self.exit(a, atom("kill"));
      co_await self.receive([mref](const Message& m) {
        const auto* d = m.get<DownMsg>();
        return d && d->ref == mref;
      });
      got = (co_await registry::register_key(self, "reg", atom("k"), atom("b"))).term.to_string();
      co_await self.sleep(1);
      auto l = co_await registry::lookup(self, "reg", atom("k"));
      owner_after = l.size() == 1 && l[0].first == self.self() ? "me" : "lost";
      co_await hold(self);
    });
    w.run();
    EXPECT_EQ(got.rfind("{ok,", 0), 0u) << "seed " << seed << ": " << got;
    EXPECT_EQ(owner_after, "me") << "seed " << seed;
  }
}

TEST(Registry, DuplicateKeysAndDispatch) {  // S60
  World w;
  std::vector<std::string> seen;
  w.spawn([&](Process& self) -> Proc {
    co_await registry::start_link(self, {.name = "bus", .keys = registry::Keys::duplicate});
    for (int i = 0; i < 3; ++i)
      self.spawn([i](Process& s) -> Proc {
        co_await registry::register_key(s, "bus", atom("topic"), integer(i));
        auto m = co_await s.receive_any();
        (void)m;
      });
    co_await registry::register_key(self, "bus", atom("topic"), integer(9));
    co_await registry::register_key(self, "bus", atom("topic"), integer(10));  // duplicates allowed
    co_await self.sleep(1);
    co_await registry::dispatch(self, "bus", atom("topic"), [&](const registry::Entries& es) {
      for (const auto& [pid, value] : es) {
        seen.push_back(value.to_string());
        if (pid != self.self()) self.send(pid, atom("event"));
      }
    });
    co_await hold(self);
  });
  w.run();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "10", "2", "9"}));
}

TEST(Registry, ViaNamesForGenServer) {  // S60
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    co_await registry::start_link(self, {.name = "rooms"});
    Name via{.via_registry = "rooms", .key = str("lobby")};
    gen_server::StartOptions opts{.name = via};
    auto a = co_await gen_server::start_link(self, [] { return std::make_unique<Named>(); }, opts);
    auto b = co_await gen_server::start_link(self, [] { return std::make_unique<Named>(); }, opts);
    got.push_back(b.to_term().to_string() == "{error,{already_started," + Term(a.pid).to_string() + "}}" ? "dup ok" : b.to_term().to_string());
    Message m = co_await gen_server::call(self, via, atom("who"));
    got.push_back(*m.get<Term>() == Term(a.pid) ? "call ok" : "call wrong");
    try {
      co_await gen_server::call(self, Name{.via_registry = "rooms", .key = str("nope")}, atom("who"));
    } catch (const Exit& e) {
      got.push_back(e.reason().to_string());
    }
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{
                     "dup ok", "call ok",
                     "{noproc,{'Elixir.GenServer',call,[{via,'Elixir.Registry',{rooms,\"nope\"}},who,5000]}}"}));
}

// The steps of tools/beam_diff/registry.exs; the expected strings are what Elixir 1.14 printed.
TEST(Registry, UniqueAndDuplicateStepsMatchWhatElixirPrinted) {  // S60
  World w;
  std::vector<std::string> got;
  w.spawn([&](Process& self) -> Proc {
    co_await registry::start_link(self, {.name = "R"});
    co_await registry::register_key(self, "R", atom("k"), integer(1));
    Term again = (co_await registry::register_key(self, "R", atom("k"), integer(2))).term;
    got.push_back(again.is_tuple(2) && again[1].is_tuple(2) && again[1][0].is_atom("already_registered") &&
                          again[1][1] == Term(self.self())
                      ? "already_registered by self"
                      : again.to_string());
    co_await registry::unregister(self, "R", atom("nothing"));
    got.push_back("unregister missing: ok");
    got.push_back(Term::list(co_await registry::keys(self, "R", self.self())).to_string());
    got.push_back(std::to_string(co_await registry::count(self, "R")));
    co_await registry::start_link(self, {.name = "D", .keys = registry::Keys::duplicate});
    co_await registry::register_key(self, "D", atom("t"), integer(1));
    co_await registry::register_key(self, "D", atom("t"), integer(2));
    std::string dup;
    for (const auto& [pid, v] : co_await registry::lookup(self, "D", atom("t")))
      dup += std::string(dup.empty() ? "" : ",") + (pid == self.self() ? "self:" : "other:") + v.to_string();
    got.push_back(dup);
    got.push_back(Term::list(co_await registry::keys(self, "D", self.self())).to_string());
    got.push_back(std::to_string(co_await registry::count(self, "D")));
    co_await registry::unregister(self, "D", atom("t"));
    got.push_back(std::to_string((co_await registry::lookup(self, "D", atom("t"))).size()));
    Pid p = self.spawn([](Process& o) -> Proc {
      co_await registry::register_key(o, "R", atom("gone"), integer(1));
      co_await hold(o);
    });
    co_await self.sleep(10);
    got.push_back(std::to_string((co_await registry::lookup(self, "R", atom("gone"))).size()));
    self.exit(p, atom("kill"));
    co_await self.sleep(10);
    got.push_back(std::to_string((co_await registry::lookup(self, "R", atom("gone"))).size()));
    co_await hold(self);
  });
  w.run();
  EXPECT_EQ(got, (std::vector<std::string>{"already_registered by self", "unregister missing: ok", "[k]", "1",
                                           "self:1,self:2", "[t,t]", "2", "0", "1", "0"}));
}
