// What a dead process leaves behind: nothing but its exit record, and only the last
// exit_capacity() of those. Its slot in the process table (and the rt executor's slot with its
// inbox) is reused by a later spawn, so the table stays as large as the most processes ever
// alive at once; a signal to the dead pid is still a signal to a dead pid after its slot has a
// new occupant. On both executors; the rt tests (RtMemory.*) run under TSan in CI.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include <otpsim/core/kernel/exit_table.hpp>
#include <otpsim/rt/rt_world.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;

namespace {

constexpr auto kEager = std::chrono::nanoseconds(0);  // idle workers steal at once: most interleavings

// Spawns `total` processes that exit at once, `batch` at a time (each monitored, every DOWN
// awaited), then checks the table's high-water mark against the most processes alive at once.
Body spawn_and_exit(int64_t total, int64_t batch) {
  return [total, batch](Process& self) -> Proc {
    for (int64_t done = 0; done < total; done += batch) {
      for (int64_t i = 0; i < batch; ++i) self.spawn_monitor([](Process&) -> Proc { co_return; });
      for (int64_t i = 0; i < batch; ++i) co_await self.receive([](const Message& m) { return m.get<DownMsg>() != nullptr; });
    }
  };
}

// At most batch + 1 processes (the batch and the root) are alive at once; the first table
// chunk (4,095 slots) is used before any slot is reused (small runs keep pids <0.1.0>, ...).
// A few more on rt: a slot is free only once its process has finished exiting, which may be
// just after its DOWN reached the root.
uint64_t table_bound(int64_t batch, uint64_t slack) {
  return std::max<uint64_t>(4095, static_cast<uint64_t>(batch) + 1 + slack);
}

void check_after_300k(Node& node, Pid root, int64_t batch, uint64_t slack) {
  EXPECT_EQ(node.spawned_count(), 300'001u);
  EXPECT_EQ(node.live_count(), 0u);
  EXPECT_LE(node.table_slots(), table_bound(batch, slack));
  // Exit records: the last 65,536 only.
  EXPECT_EQ(node.exits_forgotten(), 300'001u - Node::kDefaultExitCapacity);
  ASSERT_TRUE(node.exit_reason(root).has_value());  // the last to exit
  EXPECT_EQ(node.exit_reason(root)->to_string(), "normal");
  EXPECT_FALSE(node.exit_reason(Pid{2}).has_value());  // the first child: long forgotten
}

TEST(SimMemory, TableStaysNearTheLiveCount) {
  for (int64_t batch : {1'000, 10'000}) {
    sim::World w({.seed = 3, .record_decisions = false});
    Pid root = w.spawn(spawn_and_exit(300'000, batch));
    w.run();
    ASSERT_FALSE(w.alive(root));
    check_after_300k(w.node(), root, batch, 0);
    // A batch is spawned in one step of the root, before any of it runs: all alive at once.
    EXPECT_EQ(w.node().table_slots(), std::max<uint64_t>(4095, static_cast<uint64_t>(batch) + 1));
  }
}

TEST(RtMemory, TableStaysNearTheLiveCount) {
  for (int64_t batch : {1'000, 10'000}) {
    rt::RtWorld w(2, kEager);
    Pid root = w.spawn(spawn_and_exit(300'000, batch));
    ASSERT_TRUE(w.wait_exit(root, std::chrono::minutes(5)));
    w.wait_idle();
    check_after_300k(w.node(), root, batch, 64);
  }
}

TEST(SimMemory, SmallRunsKeepSequentialPids) {
  sim::World w;
  std::vector<Pid> pids;
  w.spawn([&](Process& self) -> Proc {
    for (int i = 0; i < 4094; ++i) {  // + the root: the first chunk's 4,095 slots
      auto [pid, ref] = self.spawn_monitor([](Process&) -> Proc { co_return; });
      pids.push_back(pid);
      co_await self.receive(down_of(ref));
    }
    // The first chunk is used: now a dead process's slot is reused, with the next serial.
    auto [pid, ref] = self.spawn_monitor([](Process&) -> Proc { co_return; });
    pids.push_back(pid);
    co_await self.receive(down_of(ref));
  });
  w.run();
  ASSERT_EQ(pids.size(), 4095u);
  for (size_t i = 0; i < 4094; ++i) ASSERT_EQ(pids[i].id, i + 2);
  EXPECT_EQ(Term(pids[0]).to_string(), "<0.2.0>");
  EXPECT_EQ(pid_serial(pids.back()), 1u);
  EXPECT_EQ(Term(pids.back()).to_string(), "<0." + std::to_string(pid_index(pids.back())) + ".1>");
  EXPECT_EQ(w.node().table_slots(), 4095u);
}

TEST(SimMemory, ExitRecordsKeepTheLastOnes) {
  sim::World w;
  w.node().set_exit_capacity(100);
  std::vector<Pid> pids;
  w.spawn([&](Process& self) -> Proc {
    for (int i = 0; i < 300; ++i) {
      auto [pid, ref] = self.spawn_monitor([i](Process& p) -> Proc {
        p.exit(integer(i));
        co_return;
      });
      pids.push_back(pid);
      co_await self.receive(down_of(ref));
    }
  });
  w.run();
  EXPECT_FALSE(w.exit_reason(pids[0]).has_value());
  EXPECT_FALSE(w.exit_reason(pids[200]).has_value());  // 100 later exits, and the root's
  ASSERT_TRUE(w.exit_reason(pids[201]).has_value());
  EXPECT_EQ(w.exit_reason(pids[201])->to_string(), "201");
  EXPECT_EQ(w.exit_reason(pids[299])->to_string(), "299");
  EXPECT_EQ(w.node().exits_forgotten(), 201u);
}

// The exit table against a reference (a map and the ids oldest first): records, lookups of
// kept, forgotten and never-seen ids, and capacity changes, over ids that collide in its index.
TEST(ExitTable, MatchesAReferenceModel) {
  for (size_t capacity : {1, 2, 7, 100, 1'000}) {
    ExitTable table(capacity);
    std::map<uint64_t, int64_t> ref;
    std::deque<uint64_t> order;
    uint64_t forgotten = 0, x = capacity;
    auto check = [&](uint64_t id) {
      const Term* got = table.find(id);
      auto it = ref.find(id);
      ASSERT_EQ(got != nullptr, it != ref.end()) << "id " << id << " capacity " << capacity;
      if (got) ASSERT_EQ(got->integer_value(), it->second);
    };
    for (uint64_t n = 1; n <= 20'000; ++n) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      // Ids as pids have them: index | serial << 27, some sharing an index.
      uint64_t id = make_pid(1 + (x >> 40) % 300, n).id;
      table.record(id, integer(static_cast<int64_t>(n)));
      ref[id] = static_cast<int64_t>(n);
      order.push_back(id);
      if (order.size() > table.capacity()) {
        ref.erase(order.front());
        order.pop_front();
        ++forgotten;
      }
      check(id);
      check(make_pid(1 + (x >> 20) % 300, 1 + (x >> 50) % n).id);  // kept, forgotten or never seen
      if (n % 5'000 == 0) {  // shrink, then grow back
        size_t c = table.capacity() / 2;
        table.set_capacity(c);
        while (order.size() > c) {
          ref.erase(order.front());
          order.pop_front();
          ++forgotten;
        }
        for (uint64_t id2 : order) check(id2);
        table.set_capacity(capacity);
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_EQ(table.size(), order.size());
    EXPECT_EQ(table.forgotten(), forgotten);
    for (uint64_t id : order) check(id);
  }
}

// ---------------------------------------------------------------- a dead pid's reused slot

struct Seen {
  std::mutex mu;
  std::vector<std::string> got;  // what the new occupant received
  std::vector<std::string> root;  // what the root saw
  void add(std::vector<std::string>& v, std::string s) {
    std::lock_guard lock(mu);
    v.push_back(std::move(s));
  }
};

// The root fills the first table chunk with processes that exit, then spawns `occupant` until
// it lands in the slot of a process known to be dead (`dead`). Then, to the dead pid: a
// message, a link and a monitor. It must see {'EXIT', Dead, noproc} and a DOWN noproc, and the
// occupant must get none of them (no message, no link: its exit sends the root nothing, no
// monitor: no second DOWN).
Body reused_slot_scenario(Seen& seen) {
  return [&seen](Process& self) -> Proc {
    self.trap_exit(true);
    std::map<uint64_t, Pid> last_in_slot;  // slot index -> the last (dead) process there
    for (int i = 0; i < 4200; ++i) {
      auto [pid, ref] = self.spawn_monitor([](Process&) -> Proc { co_return; });
      co_await self.receive(down_of(ref));
      last_in_slot[pid_index(pid)] = pid;
    }
    Pid dead{}, occupant{};
    for (int tries = 0; !dead && tries < 100; ++tries) {
      occupant = self.spawn([&seen](Process& p) -> Proc {
        for (;;) {
          auto m = co_await p.receive_any();
          std::string what = m->to_term().to_string();
          seen.add(seen.got, what);
          if (what == "stop") co_return;
        }
      });
      auto it = last_in_slot.find(pid_index(occupant));
      if (it != last_in_slot.end() && it->second != occupant) dead = it->second;
    }
    if (!dead) throw std::runtime_error("no slot was reused");
    seen.add(seen.root, "reused " + std::to_string(pid_serial(dead)) + "->" + std::to_string(pid_serial(occupant)));
    self.send(dead, atom("for_the_dead"));  // dropped
    self.link(dead);                         // trapping: {'EXIT', Dead, noproc}
    Ref r = self.monitor(dead);              // DOWN noproc
    auto e = co_await self.receive(exit_from(dead));
    seen.add(seen.root, e->to_term().to_string() == Term(tuple(atom("EXIT"), dead, atom("noproc"))).to_string() ? "exit noproc" : "exit " + e->to_term().to_string());
    auto d = co_await self.receive(down_of(r));
    seen.add(seen.root, d->get<DownMsg>()->reason.to_string() == "noproc" && d->get<DownMsg>()->pid == dead ? "down noproc" : "down " + d->to_term().to_string());
    // Everything sent to the dead pid was handled before its bounces came back. Now stop the
    // occupant, and look at what its exit sends us: only our own monitor's DOWN may come.
    Ref mine = self.monitor(occupant);
    self.send(occupant, atom("stop"));
    co_await self.receive(down_of(mine));
    auto extra = co_await self.receive_any(0);  // a wrong link's EXIT or a wrong monitor's DOWN came first
    seen.add(seen.root, extra ? "extra " + extra->to_term().to_string() : "nothing more");
  };
}

void check_reused_slot(Seen& seen) {
  std::lock_guard lock(seen.mu);
  ASSERT_EQ(seen.root.size(), 4u);
  EXPECT_EQ(seen.root[0].rfind("reused ", 0), 0u);
  EXPECT_EQ(seen.root[1], "exit noproc");
  EXPECT_EQ(seen.root[2], "down noproc");
  EXPECT_EQ(seen.root[3], "nothing more");
  EXPECT_EQ(seen.got, std::vector<std::string>{"stop"});
}

TEST(SimMemory, SignalToADeadPidWhoseSlotWasReusedGoesNowhere) {
  for (uint64_t seed : {1, 2, 3}) {
    Seen seen;
    sim::World w({.seed = seed});
    Pid root = w.spawn(reused_slot_scenario(seen));
    w.run();
    ASSERT_FALSE(w.alive(root));
    EXPECT_EQ(w.exit_reason(root)->to_string(), "normal");
    check_reused_slot(seen);
  }
}

TEST(RtMemory, SignalToADeadPidWhoseSlotWasReusedGoesNowhere) {
  for (int round = 0; round < 3; ++round) {
    Seen seen;
    rt::RtWorld w(2, kEager);
    Pid root = w.spawn(reused_slot_scenario(seen));
    ASSERT_TRUE(w.wait_exit(root, std::chrono::minutes(2)));
    EXPECT_EQ(w.exit_reason(root)->to_string(), "normal");
    check_reused_slot(seen);
  }
}

// Senders race slot reuse. Each round the root spawns targets that exit on their first
// message. Every sender messages, monitors, links to and messages again every target of the
// round — the second message may still be on its way when the next round's targets take the
// slots — and, first, does the same to the previous round's targets, all dead, most of them
// with their slots held by this round's: those must answer DOWN noproc and {'EXIT', T,
// noproc}, and their messages must reach nobody. A target that gets a message tagged for
// another pid, a sender that gets a DOWN or EXIT it did not ask for or with the wrong reason,
// or a missing one (the run would never end) is a failure.
TEST(RtMemory, SignalsRacingSlotReuseReachOnlyTheirPid) {
  constexpr int kSenders = 3, kTargets = 8, kRounds = 1'500;
  std::atomic<int64_t> misdelivered{0}, unexpected{0}, downs{0}, exits{0}, reused{0};
  rt::RtWorld w(2, kEager);
  Pid root = w.spawn([&](Process& self) -> Proc {
    Pid me = self.self();
    std::vector<Pid> senders;
    for (int s = 0; s < kSenders; ++s)
      senders.push_back(self.spawn([&, me](Process& p) -> Proc {
        p.trap_exit(true);
        for (;;) {
          auto m = co_await p.receive([](const Message& x) { return x.get<Term>() != nullptr; });
          const Term& t = *m->get<Term>();
          if (t.is_atom("stop")) co_return;
          struct Expect {
            Pid target;
            bool dead;  // a previous round's: only noproc will do
          };
          std::map<Ref, Expect> monitors;
          std::map<Pid, bool> links;
          auto signal = [&](Pid target, bool dead) {
            p.send(target, tuple(atom("for"), target));
            monitors.emplace(p.monitor(target), Expect{target, dead});
            p.link(target);  // trapping: never throws for a dead pid
            links.emplace(target, dead);
            if (!dead) p.send(target, tuple(atom("for"), target));
          };
          for (const Term& old : t[1].items()) signal(old.pid(), true);
          for (const Term& now : t[0].items()) signal(now.pid(), false);
          while (!monitors.empty() || !links.empty()) {
            auto x = co_await p.receive([](const Message& y) { return y.get<DownMsg>() || y.get<ExitMsg>(); });
            if (const auto* d = x->get<DownMsg>()) {
              auto it = monitors.find(d->ref);
              if (it == monitors.end()) {
                ++unexpected;
                continue;
              }
              bool ok = it->second.target == d->pid && (!it->second.dead || d->reason.is_atom("noproc"));
              ++(ok ? downs : unexpected);
              monitors.erase(it);
            } else {
              const auto* e = x->get<ExitMsg>();
              auto it = links.find(e->from);
              if (it == links.end()) {
                ++unexpected;
                continue;
              }
              ++(!it->second || e->reason.is_atom("noproc") ? exits : unexpected);
              links.erase(it);
            }
          }
          p.send(me, atom("round_done"));
        }
      }));
    Term previous = Term::tuple({});
    for (int r = 0; r < kRounds; ++r) {
      std::set<uint64_t> slots_before;  // the previous round's (all dead by now)
      for (const Term& t : previous.items()) slots_before.insert(pid_index(t.pid()));
      std::vector<Term> targets;
      for (int i = 0; i < kTargets; ++i) {
        Pid t = self.spawn([&](Process& t) -> Proc {
          auto m = co_await t.receive_any();
          const Term* tag = m->get<Term>();
          if (!tag || (*tag)[1].pid() != t.self()) ++misdelivered;
        });
        if (slots_before.contains(pid_index(t))) ++reused;
        targets.push_back(t);
      }
      Term current = Term::tuple(std::move(targets));
      for (Pid s : senders) self.send(s, tuple(current, previous));
      for (int s = 0; s < kSenders; ++s) co_await self.receive_any();
      previous = current;
    }
    for (Pid s : senders) self.send(s, atom("stop"));
  });
  ASSERT_TRUE(w.wait_exit(root, std::chrono::minutes(5)));
  w.wait_idle();
  EXPECT_EQ(misdelivered.load(), 0);
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(downs.load(), int64_t{kSenders} * kTargets * (2 * kRounds - 1));
  EXPECT_EQ(exits.load(), int64_t{kSenders} * kTargets * (2 * kRounds - 1));
  EXPECT_LE(w.node().table_slots(), 4095u);  // at most 1 + 3 + 8 alive at once
  EXPECT_GT(reused.load(), 0);  // targets took the slots of the dead pids signalled
}

}  // namespace
