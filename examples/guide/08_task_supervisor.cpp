// Section 8, "Task.Supervisor for one-off work" (S50): fire-and-forget start_child; async +
// await running notifications in parallel (virtual time shows it: 3 tasks, 300 ms in all);
// async_nolink, whose crash does not reach the caller; the `yield || shutdown` idiom; and what
// a caller of await sees when its task times out or crashes.
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/core/behaviours/task_supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// notify(channel): takes `ms` of (virtual) time, returns {sent, Channel} or raises.
TaskFn notify(const char* channel, int64_t ms, bool fails = false) {
  return [channel, ms, fails](Process& self) -> Task<Term> {
    co_await self.sleep(ms);
    if (fails) throw std::runtime_error(std::string(channel) + " gateway down");
    co_return tuple(atom("sent"), atom(channel));
  };
}

// Runs `body` in a helper process, so that its exit does not take us down, and reports it.
Task<void> in_helper(Process& self, const char* what, std::function<Task<void>(Process&)> body) {
  auto [pid, ref] = self.spawn_monitor([body](Process& p) -> Proc { co_await body(p); });
  auto down = co_await self.receive(down_of(ref));
  say(self, std::string(what) + ": the caller " + show(pid) + " exited with\n          " +
                show(down->get<DownMsg>()->reason));
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    // children = [{Task.Supervisor, name: Notifier.TaskSupervisor}]
    ChildSpec tasks{.id = atom("tasks"), .start = [](Process& sup) {
                      return task_supervisor::start_link(sup, {.name = {.local = "tasks"}});
                    }};
    co_await supervisor::start_link(self, {}, {tasks});

    // Task.Supervisor.start_child: nobody waits for it.
    co_await task_supervisor::start_child(self, "tasks", [](Process& t) -> Task<Term> {
      co_await t.sleep(50);
      say(t, "  (welcome email sent by a fire-and-forget task)");
      co_return atom("ok");
    });

    // async + await: the three run at once, so all are done at 300 ms, not 450.
    std::vector<TaskRef> sends;
    for (auto [ch, ms] : {std::pair{"email", 100}, {"sms", 300}, {"push", 50}})
      sends.push_back(co_await task_supervisor::async(self, "tasks", notify(ch, ms)));
    for (const TaskRef& t : sends) say(self, "await -> " + show(co_await task::await(self, t)));

    // async_nolink: a crash becomes {exit, Reason} for the caller, who lives on.
    TaskRef bad = co_await task_supervisor::async_nolink(self, "tasks", notify("sms", 10, true));
    say(self, "yield(failing, 1000) -> " + show(co_await task::yield(self, bad, 1000)));

    // Task.yield(task, 100) || Task.shutdown(task)
    TaskRef slow = co_await task_supervisor::async_nolink(self, "tasks", notify("fax", 10'000));
    Term r = co_await task::yield(self, slow, 100);
    say(self, "yield(slow, 100) -> " + show(r));
    if (r.is_atom("nil")) say(self, "shutdown(slow) -> " + show(co_await task::shutdown(self, slow)));

    // await gives up after its timeout by exiting the caller; a crashing linked task takes it down.
    co_await in_helper(self, "await(slow, 500)", [](Process& p) -> Task<void> {
      co_await task::await(p, co_await task_supervisor::async(p, "tasks", notify("pager", 10'000)), 500);
    });
    co_await in_helper(self, "await(crashing)", [](Process& p) -> Task<void> {
      co_await task::await(p, co_await task_supervisor::async(p, "tasks", notify("push", 10, true)));
    });
  });
}
