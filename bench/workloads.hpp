#pragma once
// The peer workloads (shared/peer-bench W1-W5, W7-W9) as root process bodies, so the simulator
// benchmark and the rt benchmark run exactly the same code. Each root returns when done.
#include <deque>
#include <vector>

#include <otpsim/core/components/pool.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/core/behaviours/task_supervisor.hpp>

namespace otp::bench {

// W1: ping-pong between two processes; one message = one send + one receive.
inline Body w1_pingpong(int64_t msgs) {
  return [msgs](Process& self) -> Proc {
    Pid pong = self.spawn([](Process& p) -> Proc {
      for (;;) {
        auto m = co_await p.receive_any();
        const Term* t = m->get<Term>();
        if (t->is_atom("stop")) co_return;
        p.send((*t)[1].pid(), integer(0));
      }
    });
    for (int64_t i = 0; i < msgs / 2; ++i) {
      self.send(pong, tuple(atom("ping"), self.self()));
      co_await self.receive_any();
    }
    self.send(pong, atom("stop"));
  };
}

// W2: spawn N processes that exit at once, each monitored; wait for every DOWN.
inline Body w2_spawn_exit(int64_t n) {
  return [n](Process& self) -> Proc {
    for (int64_t i = 0; i < n; ++i) self.spawn_monitor([](Process&) -> Proc { co_return; });
    for (int64_t i = 0; i < n; ++i) co_await self.receive_any();
  };
}

class Announcer : public GenServer {
 public:
  explicit Announcer(Pid driver) : driver_(driver) {}
  Task<InitResult> init(Process& self) override {
    self.send(driver_, self.self());
    co_return InitResult::ok();
  }

 private:
  Pid driver_;
};

// A one_for_one supervisor over `kids` (each announces its pid to the caller): kill one child at
// a time and wait for its replacement to announce itself, `kills` times; then shut it down.
// Intensity is high so it never escalates (as in the peer bench).
inline Task<void> restart_storm(Process& self, std::vector<ChildSpec> kids, int64_t kills, uint64_t seed) {
  size_t n = kids.size();
  auto sup = co_await supervisor::start_link(self, {.max_restarts = 10'000'000, .max_seconds = 1}, std::move(kids));
  std::vector<Pid> pids;
  for (size_t i = 0; i < n; ++i) pids.push_back((co_await self.receive_any())->get<Pid>()[0]);
  uint64_t x = seed;
  for (int64_t k = 0; k < kills; ++k) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t victim = (x >> 33) % pids.size();
    self.exit(pids[victim], atom("kill"));
    pids[victim] = (co_await self.receive_any())->get<Pid>()[0];
  }
  self.trap_exit(true);
  self.exit(sup.pid, atom("shutdown"));
  co_await self.receive(exit_from(sup.pid));
}

// W3: one_for_one supervisor with 100 children; kill one, wait for its replacement to
// announce itself; repeat.
inline Body w3_restart_storm(int64_t kills) {
  return [kills](Process& self) -> Proc {
    std::vector<ChildSpec> kids;
    for (int i = 0; i < 100; ++i) {
      Pid me = self.self();
      kids.push_back(worker_spec(integer(i), [me] { return std::make_unique<Announcer>(me); }));
    }
    co_await restart_storm(self, kids, kills, 12345);
  };
}

// Written as a C++ user would write a handler that never waits: the synchronous callback.
class Echo : public GenServer {
 public:
  std::optional<Result> try_handle_call(Process&, Message& req, From) override { return Result::reply(std::move(req)); }
};

// W4: GenServer.call to an echo server from `clients` concurrent clients.
inline Body w4_call(int64_t calls, int clients) {
  return [calls, clients](Process& self) -> Proc {
    Pid s = (co_await gen_server::start_link(self, [] { return std::make_unique<Echo>(); })).pid;
    Pid me = self.self();
    int64_t per_client = calls / clients;
    for (int c = 0; c < clients; ++c)
      self.spawn([s, me, per_client](Process& client) -> Proc {
        for (int64_t i = 0; i < per_client; ++i) co_await gen_server::call(client, s, integer(i));
        client.send(me, atom("done"));
      });
    for (int c = 0; c < clients; ++c) co_await self.receive_any();
    self.unlink(s);
    self.exit(s, atom("kill"));
  };
}

// W5: otp::pool of 8 workers; 10 clients each submit their jobs (j -> 2j) at once, then
// collect the outcomes: the library path (the dispatcher monitors its workers, every job gets
// exactly one outcome), not a hand-rolled pool. proxy = false: pool::submit + pool::await;
// async = true: pool::async, the guide's {task_result, R} (through each client's collector).
inline Body w5_pool(int64_t jobs, bool async = false) {
  return [jobs, async](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await pool::start_link(self, {.name = "w5", .size = 8})).pid;
    Pid me = self.self();
    int64_t per_client = jobs / 10;
    for (int c = 0; c < 10; ++c)
      self.spawn([me, per_client, async](Process& client) -> Proc {
        auto job = [](int64_t j) { return [j](Process&) -> Task<Term> { co_return integer(2 * j); }; };
        if (async) {
          for (int64_t j = 0; j < per_client; ++j) pool::async(client, "w5", job(j));
          for (int64_t j = 0; j < per_client; ++j) co_await client.receive_any();
        } else {
          std::vector<pool::Submitted> subs;
          subs.reserve(static_cast<size_t>(per_client));
          for (int64_t j = 0; j < per_client; ++j) subs.push_back(pool::submit(client, "w5", job(j)));
          for (const auto& s : subs) co_await pool::await(client, s);
        }
        client.send(me, atom("done"));
      });
    for (int c = 0; c < 10; ++c) co_await self.receive([](const Message& m) { return m.get<Term>() != nullptr; });
    self.exit(sup, atom("shutdown"));
    co_await self.receive(exit_from(sup));
  };
}

// W5 as the peers implement it (shared/peer-bench): a bare dispatcher process with a queue of
// idle workers and one of pending jobs; a worker replies to the client itself and re-registers
// as ready. No monitors and no per-job outcome guarantee: this measures the runtime's messaging
// on the peers' exact protocol, next to w5_pool's library path.
inline Body w5_bare_pool(int64_t jobs) {
  return [jobs](Process& self) -> Proc {
    Pid disp = self.spawn([](Process& d) -> Proc {
      std::deque<Pid> ready;
      std::deque<Term> pending;  // {job, From, J}
      for (;;) {
        auto m = co_await d.receive_any();
        const Term& t = *m->get<Term>();
        if (t.is_atom("stop")) co_return;
        if (t[0].is_atom("job")) {
          if (ready.empty()) {
            pending.push_back(t);
          } else {
            d.send(ready.front(), tuple(atom("run"), t[1], t[2]));
            ready.pop_front();
          }
        } else if (pending.empty()) {  // {ready, W}
          ready.push_back(t[1].pid());
        } else {
          d.send(t[1].pid(), tuple(atom("run"), pending.front()[1], pending.front()[2]));
          pending.pop_front();
        }
      }
    });
    std::vector<Pid> workers;
    for (int w = 0; w < 8; ++w)
      workers.push_back(self.spawn([disp](Process& wp) -> Proc {
        wp.send(disp, tuple(atom("ready"), wp.self()));
        for (;;) {
          auto m = co_await wp.receive_any();
          const Term& t = *m->get<Term>();
          if (t.is_atom("stop")) co_return;
          wp.send(t[1].pid(), tuple(atom("result"), integer(t[2].integer_value() * 2)));
          wp.send(disp, tuple(atom("ready"), wp.self()));
        }
      }));
    Pid me = self.self();
    int64_t per_client = jobs / 10;
    for (int c = 0; c < 10; ++c)
      self.spawn([me, disp, per_client](Process& client) -> Proc {
        for (int64_t j = 0; j < per_client; ++j) client.send(disp, tuple(atom("job"), client.self(), integer(j)));
        for (int64_t j = 0; j < per_client; ++j) co_await client.receive_any();
        client.send(me, atom("done"));
      });
    for (int c = 0; c < 10; ++c) co_await self.receive_any();
    for (Pid w : workers) self.send(w, atom("stop"));
    self.send(disp, atom("stop"));
  };
}

// W7: `pairs` independent ping-pong pairs, `rounds` round trips each; one message = one send +
// one receive (2 per round trip). Independent work: what a second core should double.
inline Body w7_parallel_pairs(int64_t pairs, int64_t rounds) {
  return [pairs, rounds](Process& self) -> Proc {
    Pid me = self.self();
    for (int64_t i = 0; i < pairs; ++i) {
      Pid pong = self.spawn([](Process& p) -> Proc {
        for (;;) {
          auto m = co_await p.receive_any();
          const Term* t = m->get<Term>();
          if (t->is_atom("stop")) co_return;
          p.send((*t)[1].pid(), atom("pong"));
        }
      });
      self.spawn([pong, rounds, me](Process& ping) -> Proc {
        for (int64_t k = 0; k < rounds; ++k) {
          ping.send(pong, tuple(atom("ping"), ping.self()));
          co_await ping.receive_any();
        }
        ping.send(pong, atom("stop"));
        ping.send(me, atom("pair_done"));
      });
    }
    for (int64_t i = 0; i < pairs; ++i) co_await self.receive_any();
  };
}

// W8: `sups` independent one_for_one supervisors of 10 children, each with its own driver that
// kills one child at a time and waits for its replacement to announce itself, `per` times:
// restart storms side by side.
inline Body w8_parallel_storms(int64_t sups, int64_t per) {
  return [sups, per](Process& self) -> Proc {
    Pid main = self.self();
    for (int64_t k = 0; k < sups; ++k)
      self.spawn([main, k, per](Process& d) -> Proc {
        std::vector<ChildSpec> kids;
        for (int i = 0; i < 10; ++i) {
          Pid me = d.self();
          kids.push_back(worker_spec(integer(i), [me] { return std::make_unique<Announcer>(me); }));
        }
        co_await restart_storm(d, kids, per, 12345 + static_cast<uint64_t>(k));
        d.send(main, atom("storm_done"));
      });
    for (int64_t k = 0; k < sups; ++k) co_await self.receive([](const Message& m) { return m.get<Term>() != nullptr; });
  };
}

// W9: fan-out/fan-in as the guide writes it: `rounds` rounds of `n` Task.Supervisor.async tasks
// (one Task.Supervisor: its start_child calls are serial), gathered with await_many.
inline Body w9_fan_out_in(int64_t rounds, int64_t n) {
  return [rounds, n](Process& self) -> Proc {
    // Not trapping exits, as in the peers: a trapping caller gets an EXIT message from each
    // linked task, and they pile up in its mailbox.
    Pid ts = (co_await task_supervisor::start_link(self)).pid;
    for (int64_t r = 0; r < rounds; ++r) {
      std::vector<TaskRef> tasks;
      tasks.reserve(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        tasks.push_back(co_await task_supervisor::async(self, ts, [i](Process&) -> Task<Term> { co_return integer(2 * i); }));
      co_await task::await_many(self, std::move(tasks), infinity);
    }
    self.unlink(ts);
    Ref down = self.monitor(ts);
    self.exit(ts, atom("shutdown"));
    co_await self.receive(down_of(down));
  };
}

// W9 as CAF's peer writes it (it has no Task.Supervisor): each round the coordinator spawns `n`
// processes that each send one result back and exit, and counts the results. No supervisor, link,
// monitor or go message: the runtime's spawn and messaging on that exact protocol, next to
// w9_fan_out_in's library path (as w5_bare_pool is to w5_pool).
inline Body w9_bare_fan_out_in(int64_t rounds, int64_t n) {
  return [rounds, n](Process& self) -> Proc {
    for (int64_t r = 0; r < rounds; ++r) {
      Pid me = self.self();
      for (int64_t i = 0; i < n; ++i)
        self.spawn([me, i](Process& p) -> Proc {
          p.send(me, integer(2 * i));
          co_return;
        });
      for (int64_t i = 0; i < n; ++i) co_await self.receive_any();
    }
  };
}

}  // namespace otp::bench
