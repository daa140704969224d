#pragma once
// A worker pool that is correct under crashes (S80): Pool.Supervisor (one_for_all) over
// [Registry, Dispatcher, WorkerSupervisor (one_for_one, N workers named {worker, I} through
// the Registry)]. Every submitted job yields exactly one outcome to its caller:
//   {ok, Value}                       the job ran to completion in a worker
//   {error, {worker_crashed, R}}      its worker died with R while running it (after
//                                     max_attempts tries; earlier crashes retry it)
//   {error, {dispatcher_down, R}}     the dispatcher died (restarting the pool): its queue is
//                                     gone, and so is every job it held — each caller is told
//   {error, timeout}                  run's timeout passed first (a still-queued job is dropped)
//   {error, overloaded}               max_pending jobs were already waiting
// The dispatcher monitors every worker, so a dead worker is never handed a job, and a job is
// only retried when its caller asked for retries (max_attempts > 1).
#include <functional>
#include <string>

#include <otpsim/core/behaviours/child_spec.hpp>

namespace otp::pool {

// Runs inside a worker process: return a value, throw / exit to crash the worker. An empty Job
// given to run, async or submit is a UsageError in the caller (as Task.Supervisor's empty TaskFn).
using Job = std::function<Task<Term>(Process& worker)>;

// What a test sees of the pool's state; the pool updates it as it goes (no locking: one world).
struct Observer {
  int64_t workers = 0, available = 0, busy = 0, pending = 0;  // the dispatcher's counts (workers: registered, not departed)
  std::function<void(Pid worker, bool running)> on_job{};  // a worker starts / ends a job
};

struct Options {
  std::string name = "pool";  // registered names: <name>.supervisor, <name>.dispatcher, <name>.registry (empty: a UsageError)
  int size = 4;
  size_t max_pending = 0;     // 0: unbounded; else new jobs beyond it get {error, overloaded}
                              // (a retry of an accepted job is never refused)
  int max_attempts = 1;       // runs of one job at most (worker crashes retry it)
  SupFlags worker_flags{};    // the WorkerSupervisor's intensity
  // The guide's original design (lossy: no monitors, replies come from workers, a crash
  // mid-job leaves the caller waiting) — kept so the property suite can show what it loses.
  bool guide_mode = false;
  Observer* observer = nullptr;
};

// Pool.Supervisor as a child of your tree, or started and linked to the caller. It registers as
// supervisor_name(name): a second start of a pool of that name while one runs returns
// {error, {already_started, Pid}}, Pid that pool's supervisor, and leaves the running pool be.
ChildSpec child_spec(Options opts);
Task<StartResult> start_link(Process& self, Options opts);

// Pool.run: the job's outcome (see above).
Task<Term> run(Process& self, std::string pool, Job job, Timeout timeout);
// Pool.async (the guide's shape): the caller later receives exactly one {task_result, Outcome};
// returns at once. Nothing is asked of the caller: its collector process for this pool (one per
// caller and pool, made on first use, ending when the caller does) submits the job, watches the
// dispatcher, keeps the timeout and forwards the outcome.
void async(Process& self, std::string pool, Job job, Timeout timeout = infinity);

// Task.async-style submission, without a proxy: the caller receives {task_result, Ref,
// Outcome} (a typed pool::TaskResult that prints as that term); await turns that — or the
// dispatcher's DOWN — into exactly one outcome. Jobs a caller has outstanding on one pool share
// one monitor (kept in the caller's Process::local state); the first await that meets the
// dispatcher's DOWN consumes it and records the reason there for the others; the last await
// drops the monitor, so no DOWN is ever left behind. Cheaper than async (no hop through a collector);
// every submitted job must be awaited once (a second await is a UsageError).
struct Submitted {  // small: a caller may hold many (W5's clients hold 20 k each)
  Ref ref{};
  Ref monitor{};  // the caller's monitor of the dispatcher that took the job (none: no dispatcher)
};
Submitted submit(Process& self, const std::string& pool, Job job);
Task<Term> await(Process& self, Submitted job, Timeout timeout = infinity);  // {error,timeout} after timeout
// [{available,A},{busy,B},{pending,P},{workers,W}]
Task<Term> status(Process& self, std::string pool);

std::string dispatcher_name(const std::string& pool);
std::string registry_name(const std::string& pool);
std::string supervisor_name(const std::string& pool);  // <pool>.supervisor

}  // namespace otp::pool
