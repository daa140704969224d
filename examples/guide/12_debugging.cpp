// Section 12, "Debugging supervision trees": asking a supervisor what it has (which_children,
// count_children, get_childspec, S31); the live tree as an observer snapshot (restart counts
// included); a server's state (sys::get_state), what a process is doing (process_info), a
// server's traffic (sys::trace); the run told in words from the simulator's trace (Elixir's
// crash and progress reports); and blocked_report, what each live process is waiting for.
#include <otpsim/core/behaviours/observer.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/core/kernel/process_info.hpp>
#include <otpsim/sim/story.hpp>

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
    observer::TreeNode tree = co_await observer::snapshot(self, "app");
    say(self, "observer::snapshot(app), as text:\n" + observer::to_text(tree));

    co_await gen_server::call(self, "cache", atom("increment"));
    say(self, "sys::get_state(cache)     -> " + (co_await sys::get_state(self, "cache")).to_string());
    Pid cache = self.whereis("cache");
    say(self, "process_info(cache)       -> " + (*co_await process_info(self, cache)).to_term().to_string());
    co_await sys::trace(self, "cache", true, [](const std::string& line) { std::printf("  sys::trace: %s\n", line.c_str()); });
    co_await gen_server::call(self, "cache", atom("increment"));
    co_await sys::trace(self, "cache", false);
    co_await self.receive([](const Message&) { return false; });  // stay up, so the tree does
  });
  world.run();

  std::printf("\nthe run in words (otpsim run prints the same for a scenario):\n");
  sim::Story story({.top_name = "main"});
  for (const std::string& line : world.trace_lines())
    for (const std::string& told : story.tell(sim::parse_trace_line(line))) std::printf("%s\n", told.c_str());
  std::printf("\nblocked_report (the world is quiet; who waits for what):\n%s", world.blocked_report().c_str());
}
