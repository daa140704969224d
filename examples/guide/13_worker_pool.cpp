// Section 13, "Real-world example: a worker pool" (otp::pool, S80): Pool.Supervisor
// (one_for_all) over a Registry, the Dispatcher and a WorkerSupervisor of N workers. run waits
// for one job's outcome; async delivers {task_result, Outcome} later; status counts workers and
// queued jobs. Every job gets exactly one outcome, also when its worker crashes mid-job.
// Part 1 runs on the simulator (virtual time shows 3 workers taking 6 jobs in two rounds);
// part 2 runs the same pool on real threads and prints only what does not depend on timing.
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/core/components/pool.hpp>
#include <otpsim/rt/rt_world.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

pool::Job work(int64_t ms, int64_t value, bool crash = false) {
  return [ms, value, crash](Process& w) -> Task<Term> {
    if (ms > 0) co_await w.sleep(ms);
    if (crash) w.exit(atom("bad_input"));
    co_return integer(value * value);
  };
}

Task<void> on_the_simulator(Process& self) {
  co_await supervisor::start_link(self, {}, {pool::child_spec({.name = "pool", .size = 3})});
  say(self, "status -> " + show(co_await pool::status(self, "pool")));
  for (int64_t i = 1; i <= 6; ++i) pool::async(self, "pool", work(100, i));  // Pool.async: returns at once
  co_await self.sleep(50);
  say(self, "6 jobs of 100 ms submitted; status -> " + show(co_await pool::status(self, "pool")));
  for (int i = 0; i < 6; ++i) say(self, "got " + show((co_await self.receive_any())->to_term()));

  say(self, "run(square 7)          -> " + show(co_await pool::run(self, "pool", work(10, 7), 5000)));
  say(self, "run(crashing job)      -> " + show(co_await pool::run(self, "pool", work(10, 0, true), 5000)));
  say(self, "run(1000 ms job, 100)  -> " + show(co_await pool::run(self, "pool", work(1000, 1), 100)));
  co_await self.sleep(1000);
  say(self, "status -> " + show(co_await pool::status(self, "pool")));
}

// 4 clients x 50 jobs on 2 threads; job 7 of client 0 crashes its worker.
int on_real_threads() {
  rt::RtWorld world(2);
  int ok = 0, failed = 0;
  std::string failure, status;
  Pid root = world.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await supervisor::start_link(self, {}, {pool::child_spec({.name = "rtpool", .size = 3})})).pid;
    Pid me = self.self();
    for (int c = 0; c < 4; ++c)
      self.spawn([me, c](Process& client) -> Proc {
        for (int64_t j = 0; j < 50; ++j) {
          Term r = co_await pool::run(client, "rtpool", work(0, j, c == 0 && j == 7), 5000);
          client.send(me, r);
        }
      });
    for (int i = 0; i < 200; ++i) {
      Term r = (co_await self.receive_any())->to_term();
      if (r.is_tuple(2) && r[0].is_atom("ok")) ++ok;
      else ++failed, failure = show(r);
    }
    // The crashed worker's successor registers with the dispatcher on its own time: wait for it.
    for (int i = 0; i < 500; ++i) {
      status = show(co_await pool::status(self, "rtpool"));
      if (status.find("{available,3}") != std::string::npos) break;
      co_await self.sleep(2);
    }
    // Stop the tree before main returns: ~RtWorld must not meet processes still at work.
    self.exit(sup, reasons::shutdown());
    co_await self.receive(exit_from(sup));
  });
  world.wait_exit(root);
  std::printf("real threads: 200 jobs, %d {ok,_}, %d %s\nstatus -> %s\n", ok, failed, failure.c_str(), status.c_str());
  return ok == 199 && failed == 1 ? 0 : 1;
}

}  // namespace

int main() {
  int sim = guide::run(on_the_simulator);
  return sim != 0 ? sim : on_real_threads();
}
