#include "core/pool.hpp"

#include <array>
#include <cassert>
#include <string_view>

#include "core/node.hpp"
#include "core/pool_dispatcher.hpp"
#include "core/registry.hpp"
#include "core/supervisor.hpp"

namespace otp::pool {

namespace {
constexpr std::string_view kDispatcherSuffix = ".dispatcher";
}
std::string dispatcher_name(const std::string& pool) { return pool + std::string(kDispatcherSuffix); }

namespace {
Term dispatcher_down(Term why) { return tuple(atom("error"), tuple(atom("dispatcher_down"), std::move(why))); }
}  // namespace
std::string registry_name(const std::string& pool) { return pool + ".registry"; }

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
  Task<Result> handle_cast(Process& self, Message request) override {
    auto* job = request.get_mut<RunJob>();
    if (!job) co_return Result::noreply();
    if (opts_.observer && opts_.observer->on_job) opts_.observer->on_job(self.self(), true);
    Term value = co_await job->fn(self);  // a throw or exit here crashes this worker
    if (opts_.observer && opts_.observer->on_job) opts_.observer->on_job(self.self(), false);
    if (opts_.guide_mode) {
      gen_server::reply(self, job->caller, tuple(atom("ok"), std::move(value)));
      cast_dispatcher(self, WorkerAvailable{id_});
    } else {
      cast_dispatcher(self, JobDone{self.self(), job->job, std::move(value)});
    }
    co_return Result::noreply();
  }

 private:
  Options opts_;
  int id_;
  void cast_dispatcher(Process& self, Message m) {
    if (dispatcher_) gen_server::cast(self, dispatcher_, std::move(m));
  }
  Pid dispatcher_{};
};

}  // namespace

ChildSpec child_spec(Options opts) {
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
  return supervisor::supervisor_spec(atom(opts.name), flags, {reg, dispatcher, worker_sup});
}

Task<StartResult> start_link(Process& self, Options opts) {
  ChildSpec spec = child_spec(std::move(opts));
  co_return co_await spec.start(self);
}

Task<Term> run(Process& self, std::string pool, Job job, Timeout timeout) {
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

void async(Process& self, std::string pool, Job job, Timeout timeout) {
  Pid caller = self.self();
  // A proxy waits for the outcome so the caller does not have to; not linked: a crashing
  // caller must not take the job's bookkeeping down, and the proxy outlives nothing it owns.
  self.spawn([caller, pool = std::move(pool), job = std::move(job), timeout](Process& proxy) -> Proc {
    Term outcome = co_await run(proxy, pool, job, timeout);
    proxy.send(caller, tuple(atom("task_result"), outcome));
  });
}

namespace {
// A name looked up on every job ("$pool:<pool>", "<pool>.dispatcher"): built on the stack when
// short, so the lookup costs no heap block.
class JoinedName {
 public:
  JoinedName(std::string_view a, std::string_view b) : size_(a.size() + b.size()) {
    if (size_ <= short_.size()) {
      std::copy(a.begin(), a.end(), short_.begin());
      std::copy(b.begin(), b.end(), short_.begin() + static_cast<std::ptrdiff_t>(a.size()));
    } else {
      long_.append(a).append(b);
    }
  }
  std::string_view view() const { return size_ <= short_.size() ? std::string_view(short_.data(), size_) : long_; }

 private:
  size_t size_;
  std::array<char, 48> short_;
  std::string long_;
};

// A caller's outstanding submit()s on one pool share one monitor of that pool's dispatcher.
// Process-dictionary entries (short keys: this runs for every job):
//   "$pool:<pool>"       -> {Dispatcher, Monitor, Outstanding}: the monitor new jobs share
//   "$pool:<pool>:<ref>" -> {Outstanding, nodown | {down, Reason}}: a monitor retired because
//                           its dispatcher was replaced or its DOWN was consumed, kept until
//                           its last job is awaited
JoinedName current_key(std::string_view pool) { return JoinedName("$pool:", pool); }
std::string retired_key(const std::string& pool, Ref mon) { return "$pool:" + pool + ":" + std::to_string(mon.id); }

void retire(Process& self, const std::string& pool, const Term& current, Term down) {
  self.dictionary()[retired_key(pool, current[1].ref())] = tuple(current[2], std::move(down));
}

using Dictionary = std::remove_reference_t<decltype(std::declval<Process&>().dictionary())>;

// The job's outcome is known: one fewer job shares its monitor. With none left, the monitor
// goes (with any DOWN it left), so a caller with nothing outstanding never finds a stray DOWN.
// `cur` is the current entry if `mon` is its monitor, else the dictionary's end; `down` is the
// DOWN's reason if this await just consumed it.
void release(Process& self, const std::string& pool, Dictionary::iterator cur, Ref mon, std::optional<Term> down) {
  auto& dict = self.dictionary();
  if (cur != dict.end()) {
    if (!down) {
      int64_t left = cur->second[2].integer_value() - 1;
      if (left > 0) {
        cur->second = std::move(cur->second).with_element(2, integer(left));
        return;
      }
      dict.erase(cur);
      self.demonitor(mon, true);
      return;
    }
    // Its DOWN was just consumed: retire it with the reason for its other jobs (the next
    // submit watches whichever dispatcher is registered then); this job is counted off below.
    retire(self, pool, cur->second, tuple(atom("down"), *down));
    dict.erase(cur);
    down.reset();
  }
  auto old = dict.find(retired_key(pool, mon));
  assert(old != dict.end() && "await of a job whose monitor was already released");
  int64_t left = old->second[0].integer_value() - 1;
  Term why = down ? tuple(atom("down"), *down) : old->second[1];
  if (left > 0) {
    old->second = tuple(integer(left), std::move(why));
    return;
  }
  dict.erase(old);
  self.demonitor(mon, true);
}

bool is_result_of(const Message& m, Ref ref) {
  const Term* t = m.get<Term>();
  return t && t->is_tuple(3) && (*t)[0].is_atom("task_result") && (*t)[1] == Term(ref);
}

// The DOWN reason already consumed for a retired monitor, if any.
std::optional<Term> consumed_down(Process& self, const std::string& pool, Ref mon) {
  auto& dict = self.dictionary();
  auto old = dict.find(retired_key(pool, mon));
  if (old == dict.end() || !old->second[1].is_tuple(2)) return std::nullopt;
  return old->second[1][1];
}
}  // namespace

Submitted submit(Process& self, const std::string& pool, Job job) {
  Submitted s{self.make_ref(), {}, pool};
  auto& dict = self.dictionary();
  const JoinedName key = current_key(pool);
  auto it = dict.find(key.view());
  // The dispatcher this caller watches already is the registered one for as long as it lives (a
  // pool's dispatcher never unregisters, and a new one is only started after it died), so the
  // name is looked up only when that one is gone, or on the first job.
  Pid watched = it != dict.end() ? it->second[0].pid() : Pid{};
  Pid d = watched && self.node().alive(watched) ? watched : self.whereis(JoinedName(pool, kDispatcherSuffix).view());
  if (!d) {  // no dispatcher now: the outcome is already known
    self.send(self.self(), tuple(atom("task_result"), s.ref, dispatcher_down(atom("noproc"))));
    return s;
  }
  if (it != dict.end() && it->second[0] == Term(d)) {
    s.monitor = it->second[1].ref();  // this dispatcher is watched already
    it->second = std::move(it->second).with_element(2, integer(it->second[2].integer_value() + 1));
  } else {
    // A new dispatcher (or the first job): watch it. An older dispatcher's monitor stays until
    // its last job is awaited, so its DOWN still reaches those awaits.
    if (it != dict.end()) {
      retire(self, pool, it->second, atom("nodown"));
      dict.erase(it);
    }
    s.monitor = self.monitor(d);
    dict.emplace(key.view(), tuple(d, s.monitor, integer(1)));
  }
  gen_server::cast(self, d, RunReq{s.ref, std::move(job), self.self()});
  return s;
}

Task<Term> await(Process& self, Submitted job, Timeout timeout) {
  Ref ref = job.ref, mon = job.monitor;
  // Filters capture at most two refs: they fit in a std::function without a heap block.
  auto is_result = [ref](const Message& m) { return is_result_of(m, ref); };
  if (!mon) {  // submitted while no dispatcher existed: the outcome is in the mailbox
    auto m = co_await self.receive(is_result, timeout);
    co_return m ? (*m->get<Term>())[2] : tuple(atom("error"), atom("timeout"));
  }
  Term outcome;
  std::optional<Term> down_now;
  // The current entry, found once: while this await waits, nothing else runs in this process,
  // so nothing erases it. A monitor that is still the current one was never retired (the
  // common case: no retired key to build).
  auto& dict = self.dictionary();
  auto cur = dict.find(current_key(job.pool).view());
  if (cur != dict.end() && cur->second[1] != Term(mon)) cur = dict.end();
  std::optional<Term> why;
  if (cur == dict.end()) why = consumed_down(self, job.pool, mon);
  if (why) {
    // That dispatcher is gone. S5: anything it sent us came before its DOWN, so a result that
    // was sent is in the mailbox now.
    auto m = co_await self.receive(is_result, 0);
    outcome = m ? (*m->get<Term>())[2] : dispatcher_down(*why);
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
      down_now = d->reason;  // for the other jobs of this dispatcher
      outcome = dispatcher_down(d->reason);
    } else {
      outcome = (*m->get<Term>())[2];
    }
  }
  release(self, job.pool, cur, mon, std::move(down_now));
  co_return outcome;
}

Task<Term> status(Process& self, std::string pool) {
  Message m = co_await gen_server::call(self, dispatcher_name(pool), StatusReq{}, 5000);
  co_return *m.get<Term>();
}

}  // namespace otp::pool
