// Section 6, "Building supervision trees": supervisors under supervisors. A crash is handled
// by the nearest supervisor (database is one_for_all, S26); a supervisor that exceeds its
// intensity exits `shutdown` and its own supervisor restarts it, subtree and all (S28); but a
// *transient* supervisor that gives up is not restarted, since `shutdown` is a normal exit (S30).
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

ChildSpec counter(const char* id) {
  return worker_spec(atom(id), [] { return std::make_unique<guide::Counter>(); }, {.name = {.local = id}});
}

// The tree in start order (which_children lists the newest child first).
Task<void> print_tree(Process& self, Pid sup, std::string indent) {
  Term children = co_await supervisor::which_children(self, sup);
  for (auto c = children.items().rbegin(); c != children.items().rend(); ++c) {
    const Term& child = *c;
    std::printf("%s%s %s\n", indent.c_str(), show(child[0]).c_str(), show(child[1]).c_str());
    if (child[2].is_atom("supervisor") && child[1].is_pid())
      co_await print_tree(self, child[1].pid(), indent + "    ");
  }
}

Task<void> crash(Process& self, Pid app, const char* who) {
  gen_server::cast(self, who, atom("crash"));
  co_await self.sleep(1);
  say(self, std::string("after ") + who + " crashed:");
  co_await print_tree(self, app, "    ");
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    // Database.Supervisor: one_for_all, at most 1 restart in 5 s.
    ChildSpec database = supervisor::supervisor_spec(
        atom("database"), {.strategy = Strategy::one_for_all, .max_restarts = 1}, {counter("conn"), counter("cache")});
    // Web.Supervisor: rest_for_one, gives up at the first crash; transient in the app.
    ChildSpec web = supervisor::supervisor_spec(atom("web"), {.strategy = Strategy::rest_for_one, .max_restarts = 0},
                                                {counter("endpoint"), counter("sockets")});
    web.restart = Restart::transient;
    Pid app = (co_await supervisor::start_link(self, {.strategy = Strategy::one_for_one},
                                               {database, web, counter("metrics")})).pid;
    say(self, "app " + show(app));
    co_await print_tree(self, app, "    ");

    co_await crash(self, app, "cache");     // database restarts conn and cache
    co_await crash(self, app, "cache");     // a 2nd restart in 5 s: database gives up; app restarts it
    co_await crash(self, app, "endpoint");  // web gives up; transient, so app leaves it stopped
    say(self, "count_children(app) -> " + show(co_await supervisor::count_children(self, app)));
  });
}
