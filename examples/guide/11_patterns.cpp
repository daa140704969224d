// Section 11, "Common patterns": the guide's three patterns as the library's components.
// 1. Initialization with retries (RetryingConnection): init returns at once, connecting goes on
//    in the background with backoff; after max_retries it stops and its supervisor decides.
// 2. Circuit breaker: threshold failures open it, calls then fail fast; after the reset timeout
//    one trial call runs (half_open) and closes it again.
// 3. Graceful shutdown (BufferedWriter): it traps exits and flushes in terminate, so a
//    supervisor's shutdown loses nothing (S12, S23); brutal_kill loses the unflushed tail.
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/core/components/buffered_writer.hpp>
#include <otpsim/core/components/circuit_breaker.hpp>
#include <otpsim/core/components/retrying_connection.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

Task<void> init_with_retries(Process& self) {
  auto attempts = std::make_shared<int>(0);
  RetryOptions o{.max_retries = 2, .base_backoff_ms = 100};
  o.connect = [attempts](Process& p, Term* error) -> Task<std::optional<Term>> {
    bool up = ++*attempts > 4;  // the database comes up on the 5th attempt
    say(p, "  connect attempt " + std::to_string(*attempts) + (up ? ": connected" : ": econnrefused"));
    if (up) co_return atom("conn1");
    *error = atom("econnrefused");
    co_return std::nullopt;
  };
  ChildSpec db = worker_spec(atom("db"), [o] { return std::make_unique<RetryingConnection>(o); }, {.name = {.local = "db"}});
  Pid sup = (co_await supervisor::start_link(self, {}, {db})).pid;
  Pid first = self.whereis("db");
  say(self, "started; call(db, conn) -> " + show((co_await gen_server::call(self, "db", atom("conn"))).to_term()));
  auto down = co_await self.receive(down_of(self.monitor(first)));
  co_await self.sleep(1);
  say(self, "db " + show(first) + " stopped: " + show(down->get<DownMsg>()->reason) + "; restarted as " +
                show(self.whereis("db")));
  co_await self.sleep(500);
  say(self, "call(db, conn) -> " + show((co_await gen_server::call(self, "db", atom("conn"))).to_term()));
  self.exit(sup, reasons::shutdown());
  co_await self.receive(exit_from(sup));
}

Task<void> breaker(Process& self) {
  Pid b = (co_await gen_server::start_link(self, circuit_breaker::factory({.threshold = 3, .reset_timeout_ms = 1000}))).pid;
  auto service = [](bool up) {
    return [up](Process&) -> Task<Term> { co_return up ? tuple(atom("ok"), atom("paid")) : tuple(atom("error"), atom("timeout")); };
  };
  for (bool up : {false, false, false, true, true}) {
    Term r = co_await circuit_breaker::call(self, b, service(up));
    say(self, std::string("  call (service ") + (up ? "up)   -> " : "down) -> ") + show(r) + ", now " +
                  circuit_breaker::to_string(co_await circuit_breaker::state(self, b)));
    if (r == tuple(atom("error"), atom("circuit_open"))) {
      // Wait out the reset timeout. 1001 ms, not 1000: at exactly 1000 our timer and the
      // breaker's are a tie, and the simulator may fire either first (S90).
      co_await self.sleep(1001);
      say(self, std::string("  1001 ms later: ") + circuit_breaker::to_string(co_await circuit_breaker::state(self, b)));
    }
  }
  co_await gen_server::stop(self, b);
}

Task<void> graceful(Process& self, Shutdown shutdown, const char* label) {
  auto durable = std::make_shared<std::vector<Term>>();
  BufferedWriterOptions o{.flush_every_ms = 1000};
  o.sink = [durable](Process& p, std::vector<Term> batch) -> Task<void> {
    co_await p.sleep(20);  // writing takes time
    durable->insert(durable->end(), batch.begin(), batch.end());
    say(p, "  flushed " + show(Term::list(batch)));
  };
  ChildSpec writer = worker_spec(atom("writer"), [o] { return std::make_unique<BufferedWriter>(o); }, {.name = {.local = "writer"}});
  writer.shutdown = shutdown;
  say(self, std::string("shutdown ") + label + ": write 1..6, one every 300 ms, then stop the supervisor");
  Pid sup = (co_await supervisor::start_link(self, {}, {writer})).pid;
  for (int i = 1; i <= 6; ++i) {
    co_await self.sleep(300);
    gen_server::cast(self, "writer", tuple(atom("write"), integer(i)));
  }
  // Our cast to the writer and the supervisor's exit signal to it come from different senders:
  // nothing orders them (S5). Let the last write land first.
  co_await self.sleep(100);
  self.exit(sup, reasons::shutdown());
  co_await self.receive(exit_from(sup));
  say(self, "  supervisor stopped; durable: " + show(Term::list(*durable)));
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    say(self, "1. init with retries (max_retries 2, backoff 100 ms doubling):");
    co_await init_with_retries(self);
    say(self, "2. circuit breaker (threshold 3, reset after 1000 ms):");
    co_await breaker(self);
    say(self, "3. graceful shutdown:");
    co_await graceful(self, Shutdown::timeout(5000), "5000");
    co_await graceful(self, Shutdown::brutal_kill(), "brutal_kill");
  });
}
