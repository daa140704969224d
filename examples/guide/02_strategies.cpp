// Section 2, "Supervision strategies": the same three children a, b, c under one_for_one,
// one_for_all and rest_for_one. In each, b is killed; the table shows which pids changed.
// one_for_one restarts b alone (S25); one_for_all stops the others in reverse start order and
// restarts all three in start order (S26); rest_for_one does that for b and what started
// after it, c (S27). Each strategy runs in its own world, so the pids line up.
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// A worker that says when it starts and stops. It traps exits so that terminate runs when its
// supervisor stops it (S12); a child killed with `kill` never runs terminate.
class Worker : public GenServer {
 public:
  explicit Worker(std::string name) : name_(std::move(name)) {}
  Task<InitResult> init(Process& self) override {
    self.trap_exit(true);
    say(self, "  start " + name_ + " " + show(self.self()));
    co_return InitResult::ok();
  }
  Task<void> terminate(Process& self, Term reason) override {
    say(self, "  stop  " + name_ + " " + show(self.self()) + " (" + show(reason) + ")");
    co_return;
  }

 private:
  std::string name_;
};

ChildSpec worker(const char* id) {
  return worker_spec(atom(id), [id] { return std::make_unique<Worker>(id); });
}

// id -> pid, from which_children (newest first, S31)
Pid pid_of(const Term& children, const char* id) {
  for (const Term& c : children.items())
    if (c[0].is_atom(id)) return c[1].pid();
  return {};
}

int show_strategy(Strategy strategy) {
  std::printf("== %s\n", to_string(strategy));
  return guide::run([strategy](Process& self) -> Task<void> {
    Pid sup = (co_await supervisor::start_link(self, {.strategy = strategy},
                                               {worker("a"), worker("b"), worker("c")})).pid;
    Term before = co_await supervisor::which_children(self, sup);
    say(self, "kill b");
    self.exit(pid_of(before, "b"), reasons::kill());
    co_await self.sleep(1);
    Term after = co_await supervisor::which_children(self, sup);
    std::string table;
    for (const char* id : {"a", "b", "c"}) {
      Pid was = pid_of(before, id), now = pid_of(after, id);
      table += std::string(table.empty() ? "" : " | ") + id + " " + show(was) + " -> " + show(now) +
               (was == now ? " kept" : " new ");
    }
    say(self, table.substr(0, table.find_last_not_of(' ') + 1));
    // Returning stops the supervisor: its children stop in reverse start order (S23).
  });
}

}  // namespace

int main() {
  int rc = 0;
  for (Strategy s : {Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one}) rc |= show_strategy(s);
  return rc;
}
