// Section 4, "Restart strategies and options". Part 1: permanent, transient and temporary
// children, each crashing and then exiting normally (S24). Part 2: max_restarts/max_seconds
// (S28): 3 restarts in 5 s are allowed, crashes 2 s apart go on forever, a 4th restart within
// the window makes the supervisor give up: it stops its children and exits `shutdown`.
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// Stops with whatever reason it is cast: `normal`, or `boom` (abnormal, S1).
class Stoppable : public GenServer {
  Task<Result> handle_cast(Process&, Message m) override { co_return Result::stop(*m.get<Term>()); }
};

ChildSpec child(const char* id, Restart restart) {
  ChildSpec s = worker_spec(atom(id), [] { return std::make_unique<Stoppable>(); }, {.name = {.local = id}});
  s.restart = restart;
  return s;
}

Task<void> stop_each(Process& self, Pid sup, const char* reason) {
  for (const char* id : {"perm", "trans", "temp"})
    if (self.whereis(id)) gen_server::cast(self, id, atom(reason));
  co_await self.sleep(1);
  say(self, std::string("after each exits ") + reason + ":\n          " +
                show(co_await supervisor::which_children(self, sup)));
}

Task<void> restart_types(Process& self) {
  StartResult sup = co_await supervisor::start_link(
      self, {.max_restarts = 10},
      {child("perm", Restart::permanent), child("trans", Restart::transient), child("temp", Restart::temporary)});
  say(self, "started:\n          " + show(co_await supervisor::which_children(self, sup.pid)));
  co_await stop_each(self, sup.pid, "boom");
  co_await stop_each(self, sup.pid, "normal");
  self.exit(sup.pid, reasons::shutdown());
  co_await self.receive(exit_from(sup.pid));
}

// Crashes the counter every `gap_ms` until its supervisor gives up or `crashes` are done.
// Each phase starts on a whole 10 s of virtual time; each line is printed 1 ms after its crash.
Task<void> crash_loop(Process& self, SupFlags flags, int crashes, int64_t gap_ms) {
  co_await self.sleep(10'000 - self.now_ms() % 10'000);
  say(self, "max_restarts " + std::to_string(flags.max_restarts) + " in " + std::to_string(flags.max_seconds) +
                " s, a crash every " + std::to_string(gap_ms) + " ms:");
  ChildSpec counter = worker_spec(atom("counter"), [] { return std::make_unique<guide::Counter>(); },
                                  {.name = {.local = "counter"}});
  Pid sup = (co_await supervisor::start_link(self, flags, {counter})).pid;
  for (int i = 1; i <= crashes; ++i) {
    gen_server::cast(self, "counter", atom("crash"));
    if (auto exit = co_await self.receive(exit_from(sup), 1)) {
      say(self, "  crash " + std::to_string(i) + ": the supervisor gave up: " +
                    show(exit->get<ExitMsg>()->reason) + ", counter alive: " + (self.whereis("counter") ? "yes" : "no"));
      co_return;
    }
    say(self, "  crash " + std::to_string(i) + ": restarted as " + show(self.whereis("counter")));
    co_await self.sleep(gap_ms - 1);
  }
  self.exit(sup, reasons::shutdown());
  co_await self.receive(exit_from(sup));
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    co_await restart_types(self);
    co_await crash_loop(self, {.max_restarts = 3, .max_seconds = 5}, 5, 2000);
    co_await crash_loop(self, {.max_restarts = 3, .max_seconds = 5}, 5, 100);
    co_await crash_loop(self, {.max_restarts = 0, .max_seconds = 5}, 5, 100);
  });
}
