// The guide's resilience patterns as reusable pieces: initialization with retries, the circuit
// breaker (property: transitions match an independent model under random failure sequences),
// graceful shutdown (property: nothing buffered is lost within the shutdown timeout; what
// brutal_kill loses).
#include <gtest/gtest.h>

#include <limits>

#include <otpsim/core/components/buffered_writer.hpp>
#include <otpsim/core/components/circuit_breaker.hpp>
#include <otpsim/core/components/retrying_connection.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/draws.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;
using otp::sim::World;

namespace {

RetryOptions flaky_db(std::shared_ptr<int> attempts, int fail_first) {
  RetryOptions o;
  o.connect = [attempts, fail_first](Process&, Term* error) -> Task<std::optional<Term>> {
    if (++*attempts <= fail_first) {
      *error = atom("econnrefused");
      co_return std::nullopt;
    }
    co_return atom("conn1");
  };
  o.max_retries = 3;
  return o;
}

}  // namespace

TEST(RetryingConnection, ConnectsAfterBackoff) {  // S10: init returns at once
  World w;
  auto attempts = std::make_shared<int>(0);
  std::string before, after;
  int64_t started_at = -1;
  w.spawn([&](Process& self) -> Proc {
    auto r = co_await gen_server::start_link(self, [&] { return std::make_unique<RetryingConnection>(flaky_db(attempts, 2)); });
    started_at = self.now_ms();
    before = (co_await gen_server::call(self, r.pid, atom("conn"))).to_term().to_string();
    co_await self.sleep(1000);
    after = (co_await gen_server::call(self, r.pid, atom("conn"))).to_term().to_string();
    co_await gen_server::stop(self, r.pid);
  });
  w.run();
  EXPECT_EQ(started_at, 0);
  EXPECT_EQ(before, "{error,not_connected}");
  EXPECT_EQ(after, "{ok,conn1}");
  EXPECT_EQ(*attempts, 3);  // at 0, 100 and 300 ms (backoff 100, 200)
}

TEST(RetryingConnection, GivesUpSoTheSupervisorDecides) {  // S28 decides next
  World w;
  auto attempts = std::make_shared<int>(0);
  Term reason;
  int64_t died_at = 0;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    auto r = co_await gen_server::start_link(self, [&] { return std::make_unique<RetryingConnection>(flaky_db(attempts, 100)); });
    auto m = co_await self.receive(exit_from(r.pid));
    reason = m->get<ExitMsg>()->reason;
    died_at = self.now_ms();
  });
  w.run();
  EXPECT_EQ(reason.to_string(), "{max_retries_exceeded,econnrefused}");
  EXPECT_EQ(*attempts, 4);
  EXPECT_EQ(died_at, 100 + 200 + 400);
}

// An independent model of the breaker: the state after each call, from the call's time and
// outcome alone.
TEST(CircuitBreaker, TransitionsMatchTheModelUnderRandomFailures) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    sim::Draws d(seed);
    circuit_breaker::Options o{.threshold = 1 + static_cast<int>(d.below(4)), .reset_timeout_ms = 1001};
    struct Call {
      int64_t at;
      bool fails;
    };
    std::vector<Call> calls;
    int64_t t = 1;
    for (int i = 0, n = 5 + static_cast<int>(d.below(30)); i < n; ++i) {
      t += 2 * static_cast<int64_t>(d.below(400));  // odd times; deadlines (odd + 1001) are even: no ties
      calls.push_back({t, d.chance(2)});
    }
    // Model.
    std::vector<std::string> want;
    std::string st = "closed";
    int failures = 0;
    int64_t half_open_at = 0;
    for (const auto& c : calls) {
      if (st == "open" && c.at >= half_open_at) st = "half_open";
      if (st == "open") {
        want.push_back("{error,circuit_open} open");
        continue;
      }
      if (!c.fails) {
        st = "closed", failures = 0;
        want.push_back("{ok,done} closed");
        continue;
      }
      if (st == "half_open" || ++failures >= o.threshold) st = "open", failures = 0, half_open_at = c.at + o.reset_timeout_ms;
      want.push_back("{error,down} " + st);
    }
    World w({.seed = seed});
    std::vector<std::string> got;
    w.spawn([&](Process& self) -> Proc {
      auto b = co_await gen_server::start_link(self, circuit_breaker::factory(o));
      for (const auto& c : calls) {
        co_await self.sleep(c.at - self.now_ms());
        bool fails = c.fails;
        Term r = co_await circuit_breaker::call(self, b.pid, [fails](Process&) -> Task<Term> {
          co_return fails ? tuple(atom("error"), atom("down")) : tuple(atom("ok"), atom("done"));
        });
        got.push_back(r.to_string() + " " + circuit_breaker::to_string(co_await circuit_breaker::state(self, b.pid)));
      }
      co_await gen_server::stop(self, b.pid);
    });
    w.run();
    ASSERT_EQ(got, want) << "seed " << seed << " threshold " << o.threshold;
  }
}

TEST(CircuitBreaker, RejectsBadOptions) {
  EXPECT_THROW(circuit_breaker::factory({.threshold = 0}), UsageError);
}

namespace {

// Counts what reached the writer, so the property can say what a shutdown may lose.
struct Ledger {
  std::vector<Term> received, durable;
};
class CountingWriter : public BufferedWriter {
 public:
  CountingWriter(Ledger& l, BufferedWriterOptions o) : BufferedWriter(std::move(o)), l_(l) {}
  Task<Result> handle_cast(Process& self, Message m) override {
    if (const Term* t = m.get<Term>()) l_.received.push_back((*t)[1]);
    co_return co_await BufferedWriter::handle_cast(self, std::move(m));
  }

 private:
  Ledger& l_;
};

struct ShutdownRun {
  size_t received, durable;
  bool prefix;
};

ShutdownRun graceful_run(uint64_t seed, Shutdown shutdown, int64_t sink_ms) {
  sim::Draws d(seed);
  World w({.seed = seed});
  Ledger l;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    BufferedWriterOptions o;
    o.flush_every_ms = 100 + d.below(400);
    o.sink = [&l, sink_ms](Process& p, std::vector<Term> batch) -> Task<void> {
      if (sink_ms > 0) co_await p.sleep(sink_ms);
      l.durable.insert(l.durable.end(), batch.begin(), batch.end());
    };
    ChildSpec spec = worker_spec(atom("writer"), [&l, o] { return std::make_unique<CountingWriter>(l, o); });
    spec.shutdown = shutdown;
    auto sup = co_await supervisor::start_link(self, SupFlags{}, {spec});
    Term kids = co_await supervisor::which_children(self, sup.pid);
    Pid writer = kids.items()[0][1].pid();
    for (int i = 0, n = 1 + static_cast<int>(d.below(40)); i < n; ++i) {
      co_await self.sleep(d.below(60));
      gen_server::cast(self, writer, tuple(atom("write"), integer(i)));
    }
    co_await self.sleep(d.below(300));
    self.exit(sup.pid, atom("shutdown"));  // the parent stops the tree (S23)
    co_await self.receive(exit_from(sup.pid));
  });
  w.run();
  bool prefix = l.durable.size() <= l.received.size() && std::equal(l.durable.begin(), l.durable.end(), l.received.begin());
  return {l.received.size(), l.durable.size(), prefix};
}

}  // namespace

TEST(GracefulShutdown, NothingBufferedIsLostWithinTheShutdownTimeout) {  // S12, S23
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    for (Shutdown s : {Shutdown::timeout(50), Shutdown::infinity()}) {
      ShutdownRun r = graceful_run(seed, s, 20);  // the final flush (20 ms) fits in the timeout
      ASSERT_TRUE(r.prefix) << "seed " << seed;
      ASSERT_EQ(r.durable, r.received) << "seed " << seed << " lost writes on a graceful shutdown";
    }
  }
}

TEST(GracefulShutdown, BrutalKillAndShortTimeoutsLoseTheUnflushedTail) {  // S23
  size_t lost_brutal = 0, lost_short = 0, runs_losing = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    ShutdownRun b = graceful_run(seed, Shutdown::brutal_kill(), 20);
    ShutdownRun s = graceful_run(seed, Shutdown::timeout(10), 20);  // flush outlasts the timeout
    ASSERT_TRUE(b.prefix && s.prefix) << "seed " << seed << ": what is kept is always a prefix, in order";
    lost_brutal += b.received - b.durable;
    lost_short += s.received - s.durable;
    runs_losing += b.received > b.durable;
  }
  EXPECT_GT(runs_losing, 0u);  // brutal_kill does lose buffered writes...
  EXPECT_GT(lost_short, 0u);   // ...and so does a timeout shorter than the final flush
  std::printf("over 200 seeds: brutal_kill lost %zu writes (%zu runs), timeout(10ms) lost %zu\n", lost_brutal, runs_losing,
              lost_short);
}

// Backoff doubles up to its cap and never past what an int64 holds, whatever the cap.
TEST(Patterns, BackoffDoublesToItsCapWithoutOverflow) {
  RetryOptions o{.base_backoff_ms = 100, .max_backoff_ms = std::numeric_limits<int64_t>::max()};
  EXPECT_EQ(RetryingConnection::backoff_ms(o, 0), 100);
  EXPECT_EQ(RetryingConnection::backoff_ms(o, 3), 800);
  const int64_t far = RetryingConnection::backoff_ms(o, 60);
  EXPECT_GT(far, int64_t{1} << 61);
  EXPECT_EQ(RetryingConnection::backoff_ms(o, 1'000), far);
  EXPECT_EQ(RetryingConnection::backoff_ms({.base_backoff_ms = 100, .max_backoff_ms = 5000}, 10), 5000);
}
