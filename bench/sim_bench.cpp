// Simulator throughput: the peer workloads (shared/peer-bench, W1-W4) on the deterministic
// single-threaded simulator in virtual time. items/s = messages, spawns, calls or restarts.
// Tracing is off and exit reasons are not kept, as a production world would run.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include "core/pool.hpp"
#include "core/supervisor.hpp"
#include "sim/world.hpp"

using namespace otp;
using otp::sim::World;

namespace {

World* quiet_world(World& w) {
  w.node().set_record_exits(false);
  return &w;
}

// W1: ping-pong, 2 processes; one message = one send + one receive.
void BM_W1_PingPong(benchmark::State& state) {
  const int64_t msgs = state.range(0);
  uint64_t steps = 0;
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    Pid pong = w.spawn([](Process& self) -> Proc {
      for (;;) {
        auto m = co_await self.receive_any();
        const Term* t = m->get<Term>();
        if (t->is_atom("stop")) co_return;
        self.send((*t)[1].pid(), integer(0));
      }
    });
    w.spawn([pong, msgs](Process& self) -> Proc {
      for (int64_t i = 0; i < msgs / 2; ++i) {
        self.send(pong, tuple(atom("ping"), self.self()));
        co_await self.receive_any();
      }
      self.send(pong, atom("stop"));
    });
    steps += w.run().steps;
  }
  state.SetItemsProcessed(state.iterations() * msgs);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_W1_PingPong)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// W2: spawn N processes that exit at once, each monitored; wait for every DOWN.
void BM_W2_SpawnExit(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([n](Process& self) -> Proc {
      for (int64_t i = 0; i < n; ++i) self.spawn_monitor([](Process&) -> Proc { co_return; });
      for (int64_t i = 0; i < n; ++i) co_await self.receive_any();
    });
    w.run();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_W2_SpawnExit)->Arg(50'000)->Unit(benchmark::kMillisecond)->UseRealTime();

class Echo : public GenServer {
 public:
  Task<Result> handle_call(Process&, Message req, From) override { co_return Result::reply(std::move(req)); }
};

// W4: GenServer.call to an echo server, 1 client.
void BM_W4_Call(benchmark::State& state) {
  const int64_t calls = state.range(0);
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([calls](Process& self) -> Proc {
      Pid s = (co_await gen_server::start_link(self, [] { return std::make_unique<Echo>(); })).pid;
      for (int64_t i = 0; i < calls; ++i) co_await gen_server::call(self, s, integer(i));
      self.exit(s, atom("kill"));
    });
    w.run();
  }
  state.SetItemsProcessed(state.iterations() * calls);
}
BENCHMARK(BM_W4_Call)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// W4b: 100 concurrent clients calling one echo server.
void BM_W4_Call100(benchmark::State& state) {
  const int64_t per_client = state.range(0) / 100;
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([per_client](Process& self) -> Proc {
      Pid s = (co_await gen_server::start_link(self, [] { return std::make_unique<Echo>(); })).pid;
      Pid me = self.self();
      for (int c = 0; c < 100; ++c)
        self.spawn([s, me, per_client](Process& client) -> Proc {
          for (int64_t i = 0; i < per_client; ++i) co_await gen_server::call(client, s, integer(i));
          client.send(me, atom("done"));
        });
      for (int c = 0; c < 100; ++c) co_await self.receive_any();
      self.exit(s, atom("kill"));
    });
    w.run();
  }
  state.SetItemsProcessed(state.iterations() * per_client * 100);
}
BENCHMARK(BM_W4_Call100)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// W5: otp::pool of 8 workers; 10 clients each submit jobs with pool::async (j -> 2j), then
// collect their {task_result, R} messages. The full library path: dispatcher monitors, one
// proxy per async job.
void BM_W5_Pool(benchmark::State& state) {
  const int64_t per_client = state.range(0) / 10;
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([per_client](Process& self) -> Proc {
      self.trap_exit(true);
      Pid sup = (co_await pool::start_link(self, {.name = "w5", .size = 8})).pid;
      Pid me = self.self();
      for (int c = 0; c < 10; ++c)
        self.spawn([me, per_client](Process& client) -> Proc {
          for (int64_t j = 0; j < per_client; ++j)
            pool::async(client, "w5", [j](Process&) -> Task<Term> { co_return integer(2 * j); });
          for (int64_t j = 0; j < per_client; ++j) co_await client.receive_any();
          client.send(me, atom("done"));
        });
      for (int c = 0; c < 10; ++c) co_await self.receive([](const Message& m) { return m.get<Term>() != nullptr; });
      self.exit(sup, atom("shutdown"));
      co_await self.receive(exit_from(sup));
    });
    w.run();
  }
  state.SetItemsProcessed(state.iterations() * per_client * 10);
}
BENCHMARK(BM_W5_Pool)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

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

// W3: one_for_one supervisor with 100 children; kill one, wait for its replacement to
// announce itself; repeat. Intensity is high so it never escalates (as in the peer bench).
void BM_W3_RestartStorm(benchmark::State& state) {
  const int64_t kills = state.range(0);
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([kills](Process& self) -> Proc {
      std::vector<ChildSpec> kids;
      for (int i = 0; i < 100; ++i) {
        Pid me = self.self();
        kids.push_back(worker_spec(integer(i), [me] { return std::make_unique<Announcer>(me); }));
      }
      auto sup = co_await supervisor::start_link(self, {.max_restarts = 10'000'000, .max_seconds = 1}, kids);
      std::vector<Pid> pids;
      for (int i = 0; i < 100; ++i) pids.push_back((co_await self.receive_any())->get<Pid>()[0]);
      uint64_t x = 12345;
      for (int64_t k = 0; k < kills; ++k) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t victim = (x >> 33) % pids.size();
        self.exit(pids[victim], atom("kill"));
        pids[victim] = (co_await self.receive_any())->get<Pid>()[0];
      }
      self.unlink(sup.pid);
      self.exit(sup.pid, atom("kill"));
    });
    w.run();
  }
  state.SetItemsProcessed(state.iterations() * kills);
}
BENCHMARK(BM_W3_RestartStorm)->Arg(20'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// W6: heap bytes per idle process (100,000 processes blocked in receive), glibc's count of
// bytes in use before and after. Includes the process record, its coroutine frame and mailbox.
void BM_W6_BytesPerIdleProcess(benchmark::State& state) {
  const int64_t n = state.range(0);
  double per = 0;
  for (auto _ : state) {
    World w({.seed = 1});
    quiet_world(w);
    w.spawn([](Process&) -> Proc { co_return; });  // warm the executor's tables
    w.run();
    size_t before = mallinfo2().uordblks;
    for (int64_t i = 0; i < n; ++i) w.spawn([](Process& self) -> Proc { co_await self.receive_any(); });
    w.run();
    size_t after = mallinfo2().uordblks;
    per = static_cast<double>(after - before) / static_cast<double>(n);
  }
  state.counters["bytes_per_process"] = per;
}
BENCHMARK(BM_W6_BytesPerIdleProcess)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
