#include <otpsim/core/components/pool_dispatcher.hpp>

#include <algorithm>
#include <cassert>

#include <otpsim/core/memory/prefetch.hpp>

namespace otp::pool {

namespace {
Term error(Term why) { return tuple(atom("error"), std::move(why)); }
// status/1's answer, for both dispatchers.
Term status_term(int64_t available, int64_t busy, int64_t pending, int64_t workers) {
  return Term::list({tuple(atom("available"), integer(available)), tuple(atom("busy"), integer(busy)),
                     tuple(atom("pending"), integer(pending)), tuple(atom("workers"), integer(workers))});
}
Name worker_name(const Options& o, int id) {
  return Name{.via_registry = registry_name(o.name), .key = tuple(atom("worker"), integer(id))};
}
}  // namespace

Task<InitResult> Dispatcher::init(Process&) {
  publish();
  co_return InitResult::ok();
}

std::optional<Result> Dispatcher::try_handle_call(Process& self, Message& request, From from) {
  if (request.get<StatusReq>()) return Result::reply(status());
  auto* run = request.get_mut<RunReq>();
  if (!run) return Result::reply(error(atom("badarg")));
  accept(self, *run, from);
  return noreply_now();  // the outcome is sent when the job ends
}

void Dispatcher::accept(Process& self, RunReq& run, From from) {
  Pending job{run.job, std::move(run.fn), from, run.notify, 0};
  if (opts_.max_pending > 0 && available_.empty() && pending_.size() >= opts_.max_pending) {
    answer(self, job, error(atom("overloaded")));  // back-pressure
    return;
  }
  pending_.push_back(std::move(job));
  dispatch(self);
}

void Dispatcher::answer(Process& self, const Pending& job, Term outcome) {
  if (job.notify) self.send(job.notify, TaskResult{job.job, std::move(outcome)});
  else gen_server::reply(self, job.caller, std::move(outcome));
}

std::optional<Result> Dispatcher::try_handle_cast(Process& self, Message& request) {
  if (auto* run = request.get_mut<RunReq>()) {
    accept(self, *run, From{});
    return noreply_now();
  }
  if (const auto* r = request.get<RegisterWorker>()) {
    // Keyed by pid, not id: a restarted worker's register may overtake its old self's DOWN
    // (they come from different pids, so S5 orders nothing). A supervisor starts a child only
    // after the old one under that id died, so the old one is dead: never hand it a job. Its
    // running job, if any, stays until the DOWN brings the reason.
    for (auto& [pid, w] : workers_)
      if (w.id == r->id && !w.departed) {
        w.departed = true;
        std::erase(available_, pid);
      }
    Ref mon = self.monitor(r->pid);
    workers_.emplace(r->pid, Worker{r->id, mon, std::nullopt, false});
    available_.push_back(r->pid);
  } else if (auto* d = request.get_mut<JobDone>()) {
    auto it = workers_.find(d->worker);
    assert(it != workers_.end() && it->second.running && it->second.running->job == d->job &&
           "a worker reported a job it was not given");
    answer(self, *it->second.running, tuple(atom("ok"), std::move(d->value)));
    it->second.running.reset();
    available_.push_back(d->worker);
  } else if (const auto* c = request.get<CancelReq>()) {
    std::erase_if(pending_, [&](const Pending& p) { return p.job == c->job; });
  }
  dispatch(self);
  return noreply_now();
}

std::optional<Result> Dispatcher::try_handle_info(Process& self, Message& msg) {
  const auto* down = msg.get<DownMsg>();
  if (!down) return noreply_now();
  auto it = workers_.find(down->pid);
  if (it == workers_.end() || it->second.monitor != down->ref) return noreply_now();
  std::erase(available_, down->pid);
  if (auto& job = it->second.running) {
    if (job->attempts < opts_.max_attempts)
      pending_.push_front(std::move(*job));  // retry first: it has waited longest
    else
      answer(self, *job, error(tuple(atom("worker_crashed"), down->reason)));
  }
  workers_.erase(it);
  dispatch(self);
  return noreply_now();
}

void Dispatcher::dispatch(Process& self) {
  while (!available_.empty() && !pending_.empty()) {
    Pid w = available_.front();
    available_.pop_front();
    Worker& worker = workers_.at(w);
    assert(!worker.running && "S80: a worker was given a second job");
    Pending job = std::move(pending_.front());
    pending_.pop_front();
    if (!pending_.empty()) prefetch(&pending_.front(), sizeof(Pending));  // the next one is cold in a flood
    ++job.attempts;
    // The dispatcher keeps the job's function only while a crash could still retry it.
    const bool may_retry = job.attempts < opts_.max_attempts;
    gen_server::cast(self, w, RunJob{job.job, may_retry ? job.fn : std::move(job.fn), {}});
    worker.running = std::move(job);
  }
  publish();
}

Dispatcher::Counts Dispatcher::counts() const {
  Counts c;
  for (const auto& [pid, w] : workers_) {
    if (w.departed) continue;
    ++c.workers;
    if (w.running) ++c.busy;
  }
  c.available = static_cast<int64_t>(available_.size());
  c.pending = static_cast<int64_t>(pending_.size());
  return c;
}

void Dispatcher::publish() {
#ifdef NDEBUG
  if (!opts_.observer) return;  // counting walks every worker: only for an observer or asserts
#endif
  Counts c = counts();
  assert(c.busy + c.available == c.workers && "S80: every live worker is idle or busy, not both");
  assert((c.available == 0 || c.pending == 0) && "S80: a job waits while a worker idles");
  if (!opts_.observer) return;
  opts_.observer->workers = c.workers;
  opts_.observer->available = c.available;
  opts_.observer->busy = c.busy;
  opts_.observer->pending = c.pending;
}

Term Dispatcher::status() const {
  Counts c = counts();
  return status_term(c.available, c.busy, c.pending, c.workers);
}

// ------------------------------------------------------------------ the guide's dispatcher

Task<Result> GuideDispatcher::handle_call(Process& self, Message request, From from) {
  if (request.get<StatusReq>())
    co_return Result::reply(status_term(static_cast<int64_t>(available_.size()), 0, static_cast<int64_t>(pending_.size()), opts_.size));
  auto* run = request.get_mut<RunReq>();
  if (!run) co_return Result::reply(error(atom("badarg")));
  pending_.push_back(RunJob{run->job, std::move(run->fn), from});
  dispatch(self);
  co_return Result::noreply();
}

Task<Result> GuideDispatcher::handle_cast(Process& self, Message request) {
  if (const auto* r = request.get<RegisterWorker>()) available_.push_back(r->id);
  if (const auto* a = request.get<WorkerAvailable>()) available_.push_back(a->id);
  dispatch(self);
  co_return Result::noreply();
}

void GuideDispatcher::dispatch(Process& self) {
  while (!available_.empty() && !pending_.empty()) {
    int id = available_.front();
    available_.pop_front();
    gen_server::cast(self, worker_name(opts_, id), std::move(pending_.front()));
    pending_.pop_front();
  }
}

}  // namespace otp::pool
