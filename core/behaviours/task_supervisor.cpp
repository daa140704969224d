#include <otpsim/core/behaviours/task_supervisor.hpp>

#include <algorithm>

#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/memory/block_cache.hpp>

namespace otp {
namespace {

// A task's reply, {Ref, Result}: sent to the owner's monitor of the task as an alias (Elixir
// 1.14 monitors with alias: :demonitor), so it is delivered only while the owner still waits
// for the task: once the owner demonitors (a result taken, an await that timed out, a shutdown)
// or the DOWN came, a late reply is dropped.
using TaskReply = Enveloped<Envelope::reply, Term>;

void reply_to_owner(Process& task, Pid owner, Ref ref, Term result) { gen_server::reply(task, From{owner, ref}, std::move(result)); }

// The owner stops waiting for task `ref`: its monitor (and a DOWN already queued) goes, and with
// it the alias the task replies to.
void forget_task(Process& self, Ref ref) { self.demonitor(ref, true); }

struct TaskGo {  // owner -> task: who to reply to, under which ref
  Pid owner;
  Ref ref;
  Term to_term() const { return tuple(owner, ref); }
};

Term await_reason(Term why, const TaskRef& t, Timeout timeout) {
  Term tt = timeout_term(timeout);
  return tuple(std::move(why), tuple(atom("Elixir.Task"), atom("await"), list(t.to_term(), tt)));
}

// Elixir raises ArgumentError: only the owner gets a task's reply and DOWN.
void require_owner(Process& self, const TaskRef& t, const char* what) {
  if (t.owner != self.self())
    throw UsageError(std::string(what) + ": task " + t.to_term().to_string() + " must be queried from its owner " +
                     Term(t.owner).to_string() + ", not from " + Term(self.self()).to_string());
}

// Waits for the reply or the DOWN of task `t`; nullopt on timeout.
Task<std::optional<Message>> wait_task(Process& self, const TaskRef& t, Timeout timeout) {
  Ref ref = t.ref;
  co_return co_await self.receive(
      [ref](const Message& m) {
        if (const auto* r = m.get<TaskReply>()) return r->ref == ref;
        if (const auto* d = m.get<DownMsg>()) return d->ref == ref;
        return false;
      },
      timeout);
}

// The body of a supervised task. With an owner (async), it waits for the owner's go (which
// carries the monitor ref to reply under), runs, replies; without one (start_child) it runs.
// While it waits it monitors the owner, as Elixir 1.14's Task.Supervised.reply does: an owner
// that dies before its go (killed while its start_child call was waiting) would otherwise
// leave the task waiting under the supervisor for good; it exits {shutdown, Reason} instead.
Proc supervised_body(Process& self, TaskFn fn, Pid owner) {
  if (!owner) {
    co_await fn(self);
    co_return;
  }
  Ref mon = self.monitor(owner);
  auto go = co_await self.receive([mon](const Message& m) {
    if (const auto* d = m.get<DownMsg>()) return d->ref == mon;
    return m.is<TaskGo>();
  });
  if (const auto* d = go->get<DownMsg>()) throw Exit(tuple(atom("shutdown"), d->reason));
  self.demonitor(mon, true);
  TaskGo g = *go->get<TaskGo>();
  Term result = co_await fn(self);
  reply_to_owner(self, g.owner, g.ref, std::move(result));
}

// An empty function is the caller's mistake, said in the caller (not a task crashing later
// with bad_function_call).
void require_fn(const TaskFn& fn, const char* what) {
  if (!fn) throw UsageError(std::string(what) + ": the task's function is empty");
}

// `owner`: the process that will send the go (async), or none (start_child).
dynamic_supervisor::DynStartFn task_start(TaskFn fn, Pid owner) {
  require_fn(fn, "Task.Supervisor");
  return [fn = std::move(fn), owner](Process& sup, std::vector<Term>) -> Task<StartResult> {
    Pid pid = sup.spawn_link([fn, owner](Process& p) { return supervised_body(p, fn, owner); });
    co_return StartResult::ok(pid);
  };
}

dynamic_supervisor::ChildSpec task_spec(TaskFn fn, Restart restart) {
  dynamic_supervisor::ChildSpec s;
  s.restart = restart;
  s.start = task_start(std::move(fn), Pid{});
  return s;
}

Task<TaskRef> supervised_async(Process& self, ServerRef sup, TaskFn fn, bool link) {
  // The spec made where the supervisor keeps it: one a task.
  auto spec = std::allocate_shared<dynamic_supervisor::ChildSpec>(block_cache::Allocator<dynamic_supervisor::ChildSpec>{});
  spec->restart = Restart::temporary;
  spec->start = task_start(std::move(fn), self.self());
  Term r = co_await dynamic_supervisor::detail::start_child_call(self, std::move(sup), std::move(spec));
  if (!r.is_tuple() || !r[0].is_atom("ok")) throw Exit(tuple(atom("error"), r));
  // The owner links, as Elixir's async does, before it returns: the task (waiting for its go)
  // is alive, so an owner that exits right after still takes it down.
  if (link) self.link(r[1].pid());
  TaskRef t{r[1].pid(), self.monitor(r[1].pid()), self.self()};
  self.send(t.pid, TaskGo{self.self(), t.ref});
  co_return t;
}

}  // namespace

namespace task {

TaskRef async(Process& self, TaskFn fn) {
  require_fn(fn, "Task.async");
  Ref ref = self.make_ref();
  Pid owner = self.self();
  Pid pid = self.node().spawn(
      [fn = std::move(fn), owner, ref](Process& p) -> Proc {
        Term result = co_await fn(p);
        reply_to_owner(p, owner, ref, std::move(result));
      },
      {.link_to = owner, .monitor_by = owner, .monitor_ref = ref, .parent = owner});
  return TaskRef{pid, ref, owner};
}

Task<Term> await(Process& self, TaskRef t, Timeout timeout) {
  require_owner(self, t, "Task.await");
  auto m = co_await wait_task(self, t, timeout);
  if (!m) {
    forget_task(self, t.ref);
    throw Exit(await_reason(atom("timeout"), t, timeout));
  }
  if (const auto* r = m->get<TaskReply>()) {
    forget_task(self, t.ref);
    co_return r->value;
  }
  throw Exit(await_reason(m->get<DownMsg>()->reason, t, timeout));
}

namespace {
// The task's reply as {ok,R} (its monitor dropped), or its DOWN as {exit,Reason}.
Term reply_or_exit(Process& self, const TaskRef& t, const Message& m) {
  if (const auto* r = m.get<TaskReply>()) {
    forget_task(self, t.ref);
    return tuple(atom("ok"), r->value);
  }
  return tuple(atom("exit"), m.get<DownMsg>()->reason);
}
// Task.shutdown as Elixir 1.14 does it: a monitor of its own (the task's may be gone: its result
// taken by await or yield), the stop signal, and on that monitor's DOWN: a reply already in
// the mailbox wins ({ok,R}); else the reason the stop itself causes (`quiet`) is nil and any
// other is {exit,R}; a task gone before the stop (noproc) is judged by its own monitor's DOWN
// if one is queued, else {exit,noproc}. A task still alive after `timeout` is killed
// ({exit,killed}: the quiet reason stays shutdown).
Task<Term> stop_task(Process& self, const TaskRef& t, Term how, Timeout timeout, const char* quiet) {
  self.unlink(t.pid);
  Ref mon = self.monitor(t.pid);
  self.exit(t.pid, std::move(how));
  auto down = co_await self.receive(down_of(mon), timeout);
  if (!down) {
    self.exit(t.pid, reasons::kill());
    down = co_await self.receive(down_of(mon));
  }
  Term why = down->get<DownMsg>()->reason;
  Term outcome;
  if (why.is_atom("noproc")) {
    Ref ref = t.ref;
    auto own = co_await self.receive([ref](const Message& m) { const auto* d = m.get<DownMsg>(); return d && d->ref == ref; }, 0);
    if (!own) forget_task(self, t.ref);
    Term r = own ? own->get<DownMsg>()->reason : why;
    outcome = own && r.is_atom(quiet) ? atom("nil") : tuple(atom("exit"), r);
  } else {
    forget_task(self, t.ref);
    outcome = why.is_atom(quiet) ? atom("nil") : tuple(atom("exit"), why);
  }
  Ref ref = t.ref;
  auto reply = co_await self.receive([ref](const Message& m) { const auto* r = m.get<TaskReply>(); return r && r->ref == ref; }, 0);
  co_return reply ? tuple(atom("ok"), reply->get<TaskReply>()->value) : outcome;
}
}  // namespace

Task<Term> yield(Process& self, TaskRef t, Timeout timeout) {
  require_owner(self, t, "Task.yield");
  auto m = co_await wait_task(self, t, timeout);
  if (!m) co_return atom("nil");
  co_return reply_or_exit(self, t, *m);
}

Task<Term> shutdown(Process& self, TaskRef t, Timeout timeout) {
  require_owner(self, t, "Task.shutdown");
  co_return co_await stop_task(self, t, reasons::shutdown(), timeout, "shutdown");
}

Task<Term> shutdown(Process& self, TaskRef t, BrutalKill) {
  require_owner(self, t, "Task.shutdown");
  co_return co_await stop_task(self, t, reasons::kill(), infinity, "killed");
}

Task<std::vector<Term>> yield_many(Process& self, std::vector<TaskRef> tasks, Timeout timeout) {
  for (const auto& t : tasks) require_owner(self, t, "Task.yield_many");
  checked_timeout(timeout, "Task.yield_many");
  int64_t deadline = timeout == infinity ? -1 : deadline_after(self.now_ms(), timeout);
  std::vector<Term> out;
  out.reserve(tasks.size());
  for (const auto& t : tasks) {
    // Past the deadline each remaining task is only looked for in the mailbox (after 0).
    Timeout left = deadline < 0 ? infinity : std::max<int64_t>(0, deadline - self.now_ms());
    auto m = co_await wait_task(self, t, left);
    out.push_back(m ? reply_or_exit(self, t, *m) : atom("nil"));
  }
  co_return out;
}

// As Elixir 1.14's (measured): replies are taken in whatever order they come; the first task
// to exit, or the deadline, ends the wait, and the caller exits naming await_many and every task.
Task<std::vector<Term>> await_many(Process& self, std::vector<TaskRef> tasks, Timeout timeout) {
  for (const auto& t : tasks) require_owner(self, t, "Task.await_many");
  checked_timeout(timeout, "Task.await_many");
  int64_t deadline = timeout == infinity ? -1 : deadline_after(self.now_ms(), timeout);
  auto fail = [&](Term why) {
    Term tt = timeout_term(timeout);
    std::vector<Term> all;
    for (const auto& x : tasks) all.push_back(x.to_term());
    return Exit(tuple(std::move(why), tuple(atom("Elixir.Task"), atom("await_many"), list(Term::list(all), tt))));
  };
  // The tasks' refs in order, each with its place in `tasks` (a task listed twice gets its reply
  // twice); a reply or DOWN is looked up by binary search: a map's node per task cost ~5 % of
  // a 10,000-task fan-in. Refs are mostly made in order, so mostly there is nothing to sort.
  struct Waiting {
    Ref ref;
    size_t at;
    bool done;
  };
  std::vector<Waiting> waiting;
  waiting.reserve(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) waiting.push_back({tasks[i].ref, i, false});
  auto by_ref = [](const Waiting& a, const Waiting& b) { return a.ref < b.ref; };
  // Refs made in order need no sort: stable_sort would still take a buffer and merge.
  if (!std::is_sorted(waiting.begin(), waiting.end(), by_ref)) std::stable_sort(waiting.begin(), waiting.end(), by_ref);
  size_t left_refs = 0;
  for (size_t i = 0; i < waiting.size(); ++i) left_refs += i == 0 || waiting[i].ref != waiting[i - 1].ref;
  auto first_of = [&waiting](Ref ref) -> Waiting* {  // the first entry of a ref still waited for
    auto it = std::lower_bound(waiting.begin(), waiting.end(), ref, [](const Waiting& w, Ref r) { return w.ref < r; });
    return it != waiting.end() && it->ref == ref && !it->done ? &*it : nullptr;
  };
  // Calls f on every entry of w's ref and marks it done.
  auto settle = [&waiting](Waiting* w, auto&& f) {
    for (Waiting* x = w; x != waiting.data() + waiting.size() && x->ref == w->ref; ++x) {
      f(*x);
      x->done = true;
    }
  };
  auto forget_rest = [&] {
    for (size_t i = 0; i < waiting.size(); ++i)
      if (!waiting[i].done && (i == 0 || waiting[i].ref != waiting[i - 1].ref)) forget_task(self, waiting[i].ref);
  };
  std::vector<Term> out(tasks.size());
  while (left_refs > 0) {
    Timeout left = deadline < 0 ? infinity : std::max<int64_t>(0, deadline - self.now_ms());
    auto m = co_await self.receive(
        [&first_of](const Message& m) {
          if (const auto* r = m.get<TaskReply>()) return first_of(r->ref) != nullptr;
          if (const auto* d = m.get<DownMsg>()) return first_of(d->ref) != nullptr;
          return false;
        },
        left);
    if (!m) {
      forget_rest();
      throw fail(atom("timeout"));
    }
    if (const auto* d = m->get<DownMsg>()) {
      settle(first_of(d->ref), [](const Waiting&) {});
      forget_rest();
      throw fail(d->reason);
    }
    const auto* r = m->get<TaskReply>();
    settle(first_of(r->ref), [&](const Waiting& x) { out[x.at] = r->value; });
    --left_refs;
    forget_task(self, r->ref);
  }
  co_return out;
}

}  // namespace task

namespace task_supervisor {

Task<StartResult> start_link(Process& self, gen_server::StartOptions name) {
  co_return co_await dynamic_supervisor::start_link(self, {}, name);
}

Task<StartResult> start_link(Process& self) {
  gen_server::StartOptions none;
  co_return co_await start_link(self, none);
}

Task<Term> start_child(Process& self, ServerRef sup, TaskFn fn, Restart restart) {
  return dynamic_supervisor::start_child(self, std::move(sup), task_spec(std::move(fn), restart));
}

// Not coroutines: supervised_async's frame is the only one (a frame that only awaits another is
// ~200 instructions, on every task).
Task<TaskRef> async(Process& self, ServerRef sup, TaskFn fn) {
  return supervised_async(self, std::move(sup), std::move(fn), true);
}

Task<TaskRef> async_nolink(Process& self, ServerRef sup, TaskFn fn) {
  return supervised_async(self, std::move(sup), std::move(fn), false);
}

}  // namespace task_supervisor
}  // namespace otp
