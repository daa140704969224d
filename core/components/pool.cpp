#include <otpsim/core/components/pool.hpp>

#include <cassert>
#include <optional>
#include <string_view>
#include <vector>

#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/components/pool_dispatcher.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>

namespace otp::pool {

std::string dispatcher_name(const std::string& pool) { return pool + ".dispatcher"; }
std::string registry_name(const std::string& pool) { return pool + ".registry"; }
std::string supervisor_name(const std::string& pool) { return pool + ".supervisor"; }

namespace {

class Worker : public GenServer {
 public:
  Worker(Options opts, int id) : opts_(std::move(opts)), id_(id) {}
  Task<InitResult> init(Process& self) override {
    // The pool supervisor is one_for_all and starts the dispatcher before the workers: the
    // dispatcher registered now is this worker's for its whole life (a new dispatcher means
    // new workers), so it is looked up once, not on every job.
    // None registered (it died just now, and the supervisor is about to stop this worker too):
    // casts go nowhere, as a cast to an unregistered name does.
    dispatcher_ = self.whereis(dispatcher_name(opts_.name));
    cast_dispatcher(self, RegisterWorker{id_, self.self()});
    co_return InitResult::ok();
  }
  // A job starts here, with no callback frame: most jobs finish without waiting, and then the
  // worker is done with it at once. One that waits inside (a receive, a sleep) is handed, still
  // suspended there, to handle_cast, which awaits the rest of it.
  std::optional<Result> try_handle_cast(Process& self, Message& request) override {
    auto* job = request.get_mut<RunJob>();
    if (!job) return noreply_now();
    if (opts_.observer && opts_.observer->on_job) opts_.observer->on_job(self.self(), true);
    // A coroutine lambda's captures live in its closure: the closure must stay put until the
    // job ends, and the request moves on into handle_cast if the job waits.
    fn_ = std::move(job->fn);
    Term value;
    {
      Task<Term> run = fn_(self);
      run.handle().resume();
      if (!run.handle().done()) {
        running_.emplace(std::move(run));
        return std::nullopt;
      }
      value = run.await_resume();  // a throw or exit in the job crashes this worker
    }
    done(self, *job, std::move(value));
    return noreply_now();
  }
  Task<Result> handle_cast(Process& self, Message request) override {
    auto* job = request.get_mut<RunJob>();
    assert(job && running_ && "handle_cast only takes over a job that waits");
    Term value;
    {
      Task<Term> run = std::move(*running_);
      running_.reset();
      value = co_await Resume{run};
    }
    done(self, *job, std::move(value));
    co_return Result::noreply();
  }

 private:
  // Awaits a job already started and now suspended inside a kernel wait: the kernel resumes
  // it there, and its end resumes the awaiter (no second start).
  struct Resume {
    Task<Term>& task;
    bool await_ready() const noexcept { return task.handle().done(); }
    void await_suspend(std::coroutine_handle<> awaiting) noexcept { task.handle().promise().continuation = awaiting; }
    Term await_resume() { return task.await_resume(); }
  };
  void done(Process& self, RunJob& job, Term value) {
    fn_ = nullptr;  // the job's frame is gone: its closure may go too
    if (opts_.observer && opts_.observer->on_job) opts_.observer->on_job(self.self(), false);
    if (opts_.guide_mode) {
      gen_server::reply(self, job.caller, tuple(atom("ok"), std::move(value)));
      cast_dispatcher(self, WorkerAvailable{id_});
    } else {
      cast_dispatcher(self, JobDone{self.self(), job.job, std::move(value)});
    }
  }

  Options opts_;
  int id_;
  Job fn_;                              // the running job's function (its closure stays put)
  std::optional<Task<Term>> running_;  // a started job that waits, for handle_cast
  template <class T>
  void cast_dispatcher(Process& self, T&& m) {
    if (dispatcher_) gen_server::cast(self, dispatcher_, std::forward<T>(m));
  }
  Pid dispatcher_{};
};

}  // namespace

ChildSpec child_spec(Options opts) {
  if (opts.name.empty())
    throw UsageError("pool: a name is required (its supervisor, dispatcher and registry register under <name>.supervisor, <name>.dispatcher, <name>.registry)");
  if (opts.size < 1) throw UsageError("pool " + opts.name + ": size must be >= 1, got " + std::to_string(opts.size));
  if (opts.max_attempts < 1)
    throw UsageError("pool " + opts.name + ": max_attempts must be >= 1, got " + std::to_string(opts.max_attempts));
  ChildSpec reg;
  reg.id = atom("registry");
  reg.start = [name = registry_name(opts.name)](Process& sup) {
    return registry::start_link(sup, registry::Options{.name = name, .keys = registry::Keys::unique});
  };
  ChildSpec dispatcher = worker_spec(
      atom("dispatcher"),
      [opts]() -> std::unique_ptr<GenServer> {
        if (opts.guide_mode) return std::make_unique<GuideDispatcher>(opts);
        return std::make_unique<Dispatcher>(opts);
      },
      {.name = {.local = dispatcher_name(opts.name)}});
  std::vector<ChildSpec> workers;
  for (int i = 1; i <= opts.size; ++i) {
    Name name{.via_registry = registry_name(opts.name), .key = tuple(atom("worker"), integer(i))};
    workers.push_back(worker_spec(tuple(atom("worker"), integer(i)), [opts, i] { return std::make_unique<Worker>(opts, i); },
                                  {.name = name}));
  }
  ChildSpec worker_sup = supervisor::supervisor_spec(atom("workers"), opts.worker_flags, std::move(workers));
  SupFlags flags{.strategy = Strategy::one_for_all};
  ChildSpec spec = supervisor::supervisor_spec(atom(opts.name), flags, {});
  // Pool.Supervisor registers under <name>.supervisor, as supervisor:start_link({local, Name}, ...)
  // does: a second pool of the same name is refused with {error, {already_started, Pid}}, Pid
  // the running pool's supervisor, before anything of it starts (the running pool untouched).
  auto children = std::make_shared<const std::vector<ChildSpec>>(std::vector<ChildSpec>{reg, dispatcher, worker_sup});
  spec.start = [flags, children, name = supervisor_name(opts.name)](Process& sup) {
    gen_server::StartOptions start_opts;
    start_opts.name.local = name;
    return supervisor::start_link(sup, flags, *children, start_opts);
  };
  return spec;
}

Task<StartResult> start_link(Process& self, Options opts) {
  ChildSpec spec = child_spec(std::move(opts));
  co_return co_await spec.start(self);
}

Task<Term> run(Process& self, std::string pool, Job job, Timeout timeout) {
  if (!job) throw UsageError("pool::run: the job's function is empty");
  checked_timeout(timeout, "pool::run");
  Ref ref = self.make_ref();
  std::optional<Term> failed;
  try {
    Message m = co_await gen_server::call(self, dispatcher_name(pool), RunReq{ref, std::move(job)}, timeout);
    co_return *m.get<Term>();
  } catch (const Exit& e) {
    failed = e.reason();  // {Reason, {'Elixir.GenServer', call, ...}}
  }
  Term why = failed->is_tuple(2) ? (*failed)[0] : *failed;
  if (why.is_atom("timeout")) {
    gen_server::cast(self, dispatcher_name(pool), CancelReq{ref});  // drop it if still queued
    co_return tuple(atom("error"), atom("timeout"));
  }
  co_return dispatcher_down(why);
}

namespace {
// A caller's outstanding submit()s on one pool share one monitor of that pool's dispatcher.
// The caller keeps them in a typed per-process slot (Process::local), not in the dictionary:
// this runs for every job.
struct Watch {
  std::string pool;
  Pid dispatcher;
  Ref monitor;
  int64_t outstanding = 0;    // submitted jobs not awaited yet
  bool current = true;        // new jobs on `pool` share it; false once its dispatcher was
                              // replaced or its DOWN consumed (kept until its last job is awaited)
  std::optional<Term> down{};  // the DOWN's reason, once an await consumed it
};
struct Watches {
  std::vector<Watch> all;  // a few: one per pool, plus retired ones still awaited
  Watch* current(std::string_view pool) {
    for (auto& w : all)
      if (w.current && w.pool == pool) return &w;
    return nullptr;
  }
  Watch* of(Ref monitor) {
    for (auto& w : all)
      if (w.monitor == monitor) return &w;
    return nullptr;
  }
};

// The job's outcome is known: one fewer job shares its monitor. With none left, the monitor
// goes (with any DOWN it left), so a caller with nothing outstanding never finds a stray DOWN.
void release(Process& self, Watches& watches, Watch& w) {
  assert(w.outstanding > 0 && "await of a job whose monitor was already released");
  if (--w.outstanding > 0) return;
  Ref mon = w.monitor;
  std::erase_if(watches.all, [&](const Watch& x) { return x.monitor == mon; });
  self.demonitor(mon, true);
}

bool is_result_of(const Message& m, Ref ref) {
  const auto* r = m.get<TaskResult>();
  return r && r->job == ref;
}
}  // namespace

Submitted submit(Process& self, const std::string& pool, Job job) {
  if (!job) throw UsageError("pool::submit: the job's function is empty");
  Submitted s{self.make_ref(), {}};
  auto& watches = self.local<Watches>();
  Watch* w = watches.current(pool);
  // The dispatcher this caller watches already is the registered one for as long as it lives (a
  // pool's dispatcher never unregisters, and a new one is only started after it died), so the
  // name is looked up only when that one is gone, or on the first job.
  Pid d = w && self.node().alive(w->dispatcher) ? w->dispatcher : self.whereis(dispatcher_name(pool));
  if (!d) {  // no dispatcher now: the outcome is already known
    self.send(self.self(), TaskResult{s.ref, dispatcher_down(atom("noproc"))});
    return s;
  }
  if (!w || w->dispatcher != d) {
    // A new dispatcher (or the first job): watch it. An older dispatcher's monitor stays until
    // its last job is awaited, so its DOWN still reaches those awaits.
    if (w) w->current = false;
    watches.all.push_back(Watch{pool, d, self.monitor(d)});
    w = &watches.all.back();
  }
  ++w->outstanding;
  s.monitor = w->monitor;
  gen_server::cast(self, d, RunReq{s.ref, std::move(job), self.self()});
  return s;
}

Task<Term> await(Process& self, Submitted job, Timeout timeout) {
  checked_timeout(timeout, "pool::await");
  Ref ref = job.ref, mon = job.monitor;
  // Filters capture at most two refs: they fit in a std::function without a heap block.
  auto is_result = [ref](const Message& m) { return is_result_of(m, ref); };
  if (!mon) {  // submitted while no dispatcher existed: the outcome is in the mailbox
    auto m = co_await self.receive(is_result, timeout);
    co_return m ? m->get<TaskResult>()->outcome : tuple(atom("error"), atom("timeout"));
  }
  auto& watches = self.local<Watches>();
  Watch* w = watches.of(mon);
  if (!w) throw UsageError("pool::await: this job was already awaited, or was not submitted by this process");
  Term outcome;
  if (w->down) {
    // That dispatcher is gone. S5: anything it sent us came before its DOWN, so a result that
    // was sent is in the mailbox now.
    auto m = co_await self.receive(is_result, 0);
    outcome = m ? m->get<TaskResult>()->outcome : dispatcher_down(*w->down);
  } else {
    auto m = co_await self.receive(
        [ref, mon](const Message& m) {
          if (const auto* d = m.get<DownMsg>()) return d->ref == mon;
          return is_result_of(m, ref);
        },
        timeout);
    if (!m) {
      outcome = tuple(atom("error"), atom("timeout"));  // a late result may still arrive
    } else if (const auto* d = m->get<DownMsg>()) {
      // Kept for this dispatcher's other jobs; the next submit watches whichever dispatcher is
      // registered then.
      w->down = d->reason;
      w->current = false;
      outcome = dispatcher_down(d->reason);
    } else {
      outcome = std::move(m->get_mut<TaskResult>()->outcome);
    }
  }
  // While this await waited, nothing else ran in this process: `w` still points at its watch.
  release(self, watches, *w);
  co_return outcome;
}

Task<Term> status(Process& self, std::string pool) {
  Message m = co_await gen_server::call(self, dispatcher_name(pool), StatusReq{}, 5000);
  co_return *m.get<Term>();
}

}  // namespace otp::pool
