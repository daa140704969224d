// pool::async: the caller later receives exactly one {task_result, Outcome} per job and is asked
// for nothing else (S80). Each caller has one collector process per pool that submits its jobs,
// watches the dispatcher, keeps each job's timeout and forwards each outcome. One collector per
// caller, not one proxy per job: a job costs two messages more than submit/await, not a spawn,
// a call and an exit.
#include <algorithm>
#include <unordered_map>
#include <vector>

#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/components/pool_protocol.hpp>

namespace otp::pool {

namespace {

struct AsyncReq {  // caller -> its collector
  Ref job;
  Job fn;
  Timeout timeout;
  Term to_term() const { return tuple(atom("async"), job); }
};
struct AsyncExpired {  // a collector's timer for one job
  Ref job;
  Term to_term() const { return tuple(atom("async_timeout"), job); }
};

}  // namespace
}  // namespace otp::pool

namespace otp {
template <>
struct is_relocatable<pool::AsyncReq> : is_relocatable<pool::Job> {};
template <>
struct is_relocatable<pool::AsyncExpired> : std::true_type {};
}  // namespace otp

namespace otp::pool {

namespace {

Term task_result(Term outcome) { return tuple(atom("task_result"), std::move(outcome)); }

// Runs until its caller dies. Not linked to the caller: a crashing caller takes nothing down,
// and the collector's monitor of the caller ends it. Jobs still running then finish in their
// workers; their outcomes have no one to go to.
Proc collect(Process& self, Pid caller, std::string pool) {
  const Ref caller_watch = self.monitor(caller);
  Pid dispatcher{};
  Ref dispatcher_watch{};
  struct Entry {
    Ref watch;  // the monitor of the dispatcher that took the job
    Ref timer;  // none: no timeout
  };
  // A flood of jobs is outstanding at once: the entries come from the block cache.
  using Map = std::unordered_map<uint64_t, Entry, std::hash<uint64_t>, std::equal_to<>,
                                 block_cache::Allocator<std::pair<const uint64_t, Entry>>>;
  Map outstanding;
  for (;;) {
    Message m = *co_await self.receive_any();
    if (auto* r = m.get_mut<TaskResult>()) {
      auto it = outstanding.find(r->job.id);
      if (it == outstanding.end()) continue;  // it timed out already: dropped, as run's late reply
      if (it->second.timer) self.cancel_timer(it->second.timer);
      outstanding.erase(it);
      self.send(caller, task_result(std::move(r->outcome)));
    } else if (auto* req = m.get_mut<AsyncReq>()) {
      // The watched dispatcher is the registered one for as long as it lives (see submit).
      if (!dispatcher || !self.node().alive(dispatcher)) {
        Pid d = self.whereis(dispatcher_name(pool));
        if (d != dispatcher) {
          // An older dispatcher's monitor stays: its DOWN answers the jobs it took.
          dispatcher = d;
          dispatcher_watch = d ? self.monitor(d) : Ref{};
        }
      }
      if (!dispatcher) {
        self.send(caller, task_result(dispatcher_down(atom("noproc"))));
        continue;
      }
      Ref timer = req->timeout == infinity ? Ref{} : self.send_after(self.self(), AsyncExpired{req->job}, req->timeout);
      outstanding.emplace(req->job.id, Entry{dispatcher_watch, timer});
      gen_server::cast(self, dispatcher, RunReq{req->job, std::move(req->fn), self.self()});
    } else if (const auto* e = m.get<AsyncExpired>()) {
      auto it = outstanding.find(e->job.id);
      if (it == outstanding.end()) continue;  // its outcome won the race with the timer
      // Drop it if still queued (a running job finishes; its outcome is dropped above).
      if (it->second.watch == dispatcher_watch) gen_server::cast(self, dispatcher, CancelReq{e->job});
      outstanding.erase(it);
      self.send(caller, task_result(tuple(atom("error"), atom("timeout"))));
    } else if (const auto* d = m.get<DownMsg>()) {
      if (d->ref == caller_watch) co_return;
      // A dispatcher died. S5: every outcome it sent came before its DOWN, so the jobs it took
      // that are still outstanding are lost with its queue. Answered in submission order.
      std::vector<uint64_t> lost;
      for (const auto& [job, entry] : outstanding)
        if (entry.watch == d->ref) lost.push_back(job);
      std::sort(lost.begin(), lost.end());
      for (uint64_t job : lost) {
        auto it = outstanding.find(job);
        if (it->second.timer) self.cancel_timer(it->second.timer);
        outstanding.erase(it);
        self.send(caller, task_result(dispatcher_down(d->reason)));
      }
      if (d->ref == dispatcher_watch) dispatcher = {}, dispatcher_watch = {};
    }
  }
}

struct Collectors {  // a caller's collector per pool (Process::local)
  std::vector<std::pair<std::string, Pid>> all;
};

}  // namespace

void async(Process& self, std::string pool, Job job, Timeout timeout) {
  if (!job) throw UsageError("pool::async: the job's function is empty");
  checked_timeout(timeout, "pool::async");  // here, not in the collector that arms the timer
  auto& collectors = self.local<Collectors>().all;
  auto it = std::find_if(collectors.begin(), collectors.end(), [&](const auto& c) { return c.first == pool; });
  if (it == collectors.end()) it = collectors.insert(collectors.end(), {pool, Pid{}});
  if (!it->second || !self.node().alive(it->second)) {
    // The first job on this pool, or its collector was killed (with whatever it held).
    it->second = self.spawn([caller = self.self(), pool](Process& c) { return collect(c, caller, pool); });
  }
  self.send(it->second, AsyncReq{self.make_ref(), std::move(job), timeout});
}

}  // namespace otp::pool
