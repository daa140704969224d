// Section 12, "Debugging supervision trees": asking a supervisor what it has (which_children,
// count_children, get_childspec, S31); the simulator's trace, where every spawn, exit and
// supervisor report is a JSON line stamped with virtual time and step (Elixir's crash reports
// and SASL progress reports); and blocked_report, what each live process is waiting for.
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

ChildSpec counter(const char* id, const char* module) {
  ChildSpec s = worker_spec(atom(id), [] { return std::make_unique<guide::Counter>(); }, {.name = {.local = id}});
  s.modules = {module};  // Elixir fills this in from the module; here it is whatever you say
  return s;
}

}  // namespace

int main() {
  sim::World world({.seed = 1, .trace = true});
  world.spawn([](Process& self) -> Proc {
    self.trap_exit(true);
    ChildSpec database = supervisor::supervisor_spec(atom("database"), {.strategy = Strategy::one_for_all},
                                                     {counter("conn", "Conn"), counter("cache", "Cache")});
    Pid app = (co_await supervisor::start_link(self, {}, {database, counter("metrics", "Metrics")},
                                               {.name = {.local = "app"}})).pid;
    Pid db = (co_await supervisor::which_children(self, "app"))[1][1].pid();  // newest first: [metrics, database]
    say(self, "which_children(app)       -> " + show(co_await supervisor::which_children(self, app)));
    say(self, "which_children(database)  -> " + show(co_await supervisor::which_children(self, db)));
    say(self, "count_children(app)       -> " + show(co_await supervisor::count_children(self, app)));
    say(self, "get_childspec(app, database) ->\n          " +
                  show(co_await supervisor::get_childspec(self, app, atom("database"))));

    gen_server::cast(self, "cache", atom("crash"));  // something to find in the trace
    co_await self.sleep(1);
    co_await self.receive([](const Message&) { return false; });  // stay up, so the tree does
  });
  world.run();

  std::printf("\nthe trace: supervisor reports, and exits other than normal:\n");
  for (const std::string& line : world.trace_lines()) {
    bool report = line.find("\"ev\":\"supervisor\"") != std::string::npos;
    bool crash = line.find("\"ev\":\"exit\"") != std::string::npos && line.find("\"reason\":\"normal\"") == std::string::npos;
    if (report || crash) std::printf("  %s\n", line.c_str());
  }
  std::printf("\nblocked_report (the world is quiet; who waits for what):\n%s", world.blocked_report().c_str());
}
