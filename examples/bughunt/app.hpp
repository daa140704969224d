#pragma once
// A small order-processing service with three planted bugs, each beside its fix:
//  (a) Tally assumes a job's `started` (cast by the dispatcher) reaches it before the job's
//      `result` (cast by the worker). They come from different processes, so OTP promises no
//      order between them; the buggy Tally drops a result it was not told to expect.
//  (b) Jobs hands each job to a worker process and forgets it at once; a worker that dies
//      before it reports loses the job. The fix keeps each job until it is reported done and
//      hands it out again when its worker goes DOWN.
//  (c) The service's supervisor allows 1 restart in 5 s: two worker crashes close together
//      exceed it, the supervisor gives up and takes the service down. The fix allows 10.
#include <map>
#include <memory>
#include <set>

#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>

namespace shop {

using namespace otp;

// ---- (a) Tally: counts results, but only of jobs it was told have started.
class Tally : public GenServer {
 public:
  explicit Tally(bool fixed) : fixed_(fixed) {}
  Task<Result> handle_cast(Process&, Message m) override {
    const Term& t = *m.get<Term>();
    int64_t id = t[1].integer_value();
    if (t[0].is_atom("started")) {
      started_.insert(id);
    } else if (t[0].is_atom("result")) {
      if (fixed_ || started_.contains(id)) results_[id] = t[2].integer_value();  // buggy: a result before its start is dropped
    }
    co_return Result::noreply();
  }
  Task<Result> handle_call(Process&, Message, From) override { co_return Result::reply(integer(static_cast<int64_t>(results_.size()))); }

 private:
  bool fixed_;
  std::set<int64_t> started_;
  std::map<int64_t, int64_t> results_;
};

// The dispatcher: a worker per job casts {result, Id, V} to the tally; the dispatcher casts
// {started, Id} after spawning it.
inline void dispatch(Process& self, Pid tally, int64_t id) {
  self.spawn([tally, id](Process& w) -> Proc {
    gen_server::cast(w, tally, tuple(atom("result"), integer(id), integer(id * id)));
    co_return;
  });
  gen_server::cast(self, tally, tuple(atom("started"), integer(id)));
}

// ---- (b) Jobs: a queue that runs each job in its own worker process.
class Jobs : public GenServer {
 public:
  explicit Jobs(bool fixed) : fixed_(fixed) {}
  Task<InitResult> init(Process&) override { co_return InitResult::ok(); }
  Task<Result> handle_cast(Process& self, Message m) override {  // {run, Id}
    run(self, (*m.get<Term>())[1].integer_value());
    co_return Result::noreply();
  }
  Task<Result> handle_call(Process&, Message, From) override {  // how many jobs are done
    co_return Result::reply(integer(static_cast<int64_t>(done_.size())));
  }
  Task<Result> handle_info(Process& self, Message m) override {
    if (const Term* t = m.get<Term>(); t && t->is_tuple(2) && (*t)[0].is_atom("done")) {
      int64_t id = (*t)[1].integer_value();
      done_.insert(id);
      for (auto it = running_.begin(); it != running_.end(); ++it)
        if (it->second == id) {
          self.demonitor(it->first, true);
          running_.erase(it);
          break;
        }
    } else if (const DownMsg* d = m.get<DownMsg>()) {
      auto it = running_.find(d->ref);
      if (it != running_.end()) {
        int64_t id = it->second;
        running_.erase(it);
        if (fixed_ && !done_.contains(id)) run(self, id);  // the fix: its worker died first; run it again
      }
    }
    co_return Result::noreply();
  }

 private:
  void run(Process& self, int64_t id) {
    Pid me = self.self();
    auto [pid, ref] = self.spawn_monitor([me, id](Process& w) -> Proc {
      co_await w.sleep(5);  // the work
      w.send(me, tuple(atom("done"), integer(id)));
    });
    (void)pid;
    running_[ref] = id;  // the buggy queue watches too, but forgets the job when its worker dies
  }
  bool fixed_;
  std::map<Ref, int64_t> running_;
  std::set<int64_t> done_;
};

// ---- (c) the service: a supervisor of three workers that each serve requests.
class Worker : public GenServer {
  Task<Result> handle_call(Process&, Message, From) override { co_return Result::reply(atom("ok")); }
};

inline ChildSpec service_spec(bool fixed) {
  std::vector<ChildSpec> workers;
  for (const char* id : {"w1", "w2", "w3"})
    workers.push_back(worker_spec(atom(id), [] { return std::make_unique<Worker>(); }));
  SupFlags flags{.strategy = Strategy::one_for_one, .max_restarts = fixed ? 10 : 1, .max_seconds = 5};
  return supervisor::supervisor_spec(atom("service"), flags, std::move(workers));
}

}  // namespace shop
