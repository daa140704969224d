#include <otpsim/properties/pool_suite.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <otpsim/core/components/pool.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {

PoolCase random_pool_case(sim::Draws& d, bool guide_mode) {
  PoolCase c;
  c.guide_mode = guide_mode;
  c.size = 1 + static_cast<int>(d.below(4));
  c.max_attempts = 1 + static_cast<int>(d.below(3));
  c.max_pending = d.chance(3) ? 1 + d.below(6) : 0;
  c.worker_max_restarts = d.below(6);
  uint32_t clients = 1 + d.below(5);
  for (uint32_t i = 0; i < clients; ++i) {
    std::vector<PoolJob> jobs;
    int64_t t = 0;
    for (uint32_t n = d.below(7); n > 0; --n) {
      PoolJob j;
      t += d.below(40);
      j.at_ms = t;
      j.duration_ms = d.below(60);
      uint32_t mode = d.below(4);
      j.is_async = mode == 1;
      j.is_submit = mode == 2;
      uint32_t k = d.below(8);
      j.kind = k == 0 ? PoolJob::Kind::raise : k == 1 ? PoolJob::Kind::exit_worker : PoolJob::Kind::value;
      jobs.push_back(j);
    }
    c.clients.push_back(std::move(jobs));
  }
  for (uint32_t n = d.below(4); n > 0; --n) {
    PoolFault f;
    uint32_t k = d.below(6);
    f.kind = k == 0 ? PoolFault::Kind::kill_dispatcher : k == 1 ? PoolFault::Kind::escalate : PoolFault::Kind::kill_worker;
    f.at_ms = d.below(300);
    f.worker = d.below(4);
    c.faults.push_back(f);
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const PoolCase& c) {
  static const char* const kinds[] = {"value", "raise", "exit"};
  static const char* const faults[] = {"kill-worker", "kill-dispatcher", "escalate"};
  std::string s = std::string(c.guide_mode ? "GUIDE-MODE " : "") + "size=" + std::to_string(c.size) +
                  " max_attempts=" + std::to_string(c.max_attempts) + " max_pending=" + std::to_string(c.max_pending) +
                  " worker_max_restarts=" + std::to_string(c.worker_max_restarts) + " clients=[";
  for (const auto& jobs : c.clients) {
    s += "(";
    for (const auto& j : jobs)
      s += std::string(j.is_async ? "async:" : j.is_submit ? "submit:" : "run:") + kinds[static_cast<int>(j.kind)] + "/" + std::to_string(j.duration_ms) +
           "ms@" + std::to_string(j.at_ms) + " ";
    s += ")";
  }
  s += "] faults=";
  for (const auto& f : c.faults) s += std::string(faults[static_cast<int>(f.kind)]) + "#" + std::to_string(f.worker) + "@" + std::to_string(f.at_ms) + " ";
  return s + "sched-seed=" + std::to_string(c.seed);
}

namespace {

constexpr Timeout kPatience = 600'000;  // far beyond any job mix: a timeout means a lost job

struct Truth {
  std::map<int64_t, int> runs;           // job number -> executions started
  std::set<uint64_t> running_workers;    // by pid id
  std::vector<std::string> violations;
  int dispatcher_kills = 0, escalations = 0;
};

pool::Job make_job(Truth& t, int64_t number, PoolJob j) {
  return [&t, number, j](Process& worker) -> Task<Term> {
    ++t.runs[number];
    if (j.duration_ms > 0) co_await worker.sleep(j.duration_ms);
    if (j.kind == PoolJob::Kind::raise) throw std::runtime_error("job failed");
    if (j.kind == PoolJob::Kind::exit_worker) worker.exit(atom("job_exit"));
    co_return integer(number * 10);
  };
}

// One outcome, judged against what the run actually did.
void judge(Truth& t, const PoolCase& c, int64_t number, const PoolJob& j, const Term& outcome) {
  std::string job = number < 0 ? "an async job: " : "job " + std::to_string(number) + ": ";
  auto bad = [&](const std::string& why) { t.violations.push_back(job + why + " (outcome " + outcome.to_string() + ")"); };
  int runs = number < 0 ? 1 : t.runs[number];
  if (runs > c.max_attempts) bad("ran " + std::to_string(runs) + " times, max_attempts is " + std::to_string(c.max_attempts));
  if (outcome.is_tuple(2) && outcome[0].is_atom("ok")) {
    if (number < 0 || j.kind != PoolJob::Kind::value || outcome[1] != integer(number * 10)) bad("a result no job of this caller produces");
    return;
  }
  if (!outcome.is_tuple(2) || !outcome[0].is_atom("error")) return bad("not {ok,V} or {error,E}");
  const Term& e = outcome[1];
  if (e.is_atom("timeout")) return bad("the caller waited until its timeout: the job was lost");
  if (e.is_atom("overloaded")) {
    if (c.max_pending == 0) bad("overloaded from an unbounded pool");
    return;
  }
  if (e.is_tuple(2) && e[0].is_atom("worker_crashed")) {
    // A worker stopped from outside (kill, or its supervisor's shutdown) may die with the job
    // handed to it but not yet begun (noproc: it was dead before it registered); any other
    // reason must come from running the job.
    if (runs == 0 && !e[1].is_atom("killed") && !e[1].is_atom("shutdown") && !e[1].is_atom("noproc")) bad("worker_crashed for a job that never started");
    return;
  }
  if (e.is_tuple(2) && e[0].is_atom("dispatcher_down")) {
    if (t.dispatcher_kills == 0 && t.escalations == 0 && c.faults.empty() &&
        std::none_of(c.clients.begin(), c.clients.end(), [](const auto& js) {
          return std::any_of(js.begin(), js.end(), [](const PoolJob& x) { return x.kind != PoolJob::Kind::value; });
        }))
      bad("dispatcher_down though nothing killed it");
    return;
  }
  bad("an error that names nothing S80 allows");
}

}  // namespace

std::optional<std::string> check_pool_case(const PoolCase& c) {
  sim::World w({.seed = c.seed});
  Truth t;
  pool::Observer obs;
  obs.on_job = [&](Pid worker, bool start) {
    if (!start) {
      t.running_workers.erase(worker.id);
      return;
    }
    if (!t.running_workers.insert(worker.id).second)
      t.violations.push_back("worker " + Term(worker).to_string() + " was given a second job while running one");
  };
  pool::Options opts{.name = "pool", .size = c.size, .max_pending = c.max_pending, .max_attempts = c.max_attempts};
  opts.worker_flags.max_restarts = c.worker_max_restarts;
  opts.guide_mode = c.guide_mode;
  opts.observer = &obs;
  int64_t outcomes = 0, submitted = 0;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    StartResult started = co_await pool::start_link(self, opts);
    if (!started.is_ok()) {
      t.violations.push_back("the pool did not start: " + started.to_term().to_string());
      co_return;
    }
    int64_t next_number = 1;
    for (const auto& jobs : c.clients) {
      int64_t first = next_number;
      next_number += static_cast<int64_t>(jobs.size());
      submitted += static_cast<int64_t>(jobs.size());
      self.spawn([&, jobs, first](Process& client) -> Proc {
        std::map<int64_t, PoolJob> async_jobs;
        std::vector<std::pair<int64_t, pool::Submitted>> submitted_jobs;
        int64_t number = first;
        for (const auto& j : jobs) {
          if (j.at_ms > client.now_ms()) co_await client.sleep(j.at_ms - client.now_ms());
          if (j.is_submit) {
            submitted_jobs.push_back({number, pool::submit(client, "pool", make_job(t, number, j))});
          } else if (j.is_async) {
            async_jobs[number] = j;
            pool::async(client, "pool", make_job(t, number, j), kPatience);
          } else {
            Term o = co_await pool::run(client, "pool", make_job(t, number, j), kPatience);
            ++outcomes;
            judge(t, c, number, j, o);
          }
          ++number;
        }
        for (const auto& [n, sub] : submitted_jobs) {
          Term o = co_await pool::await(client, sub, kPatience);
          ++outcomes;
          judge(t, c, n, jobs[static_cast<size_t>(n - first)], o);
        }
        // {task_result, R} carries no job id (the guide's API): a result names its job by its
        // value; an error is judged without one. Exactly one per async job, none after.
        for (size_t got = 0; got < async_jobs.size(); ++got) {
          auto m = co_await client.receive([](const Message& x) {
            const Term* tt = x.get<Term>();
            return tt && tt->is_tuple(2) && (*tt)[0].is_atom("task_result");
          }, kPatience + 1000);
          if (!m) {
            t.violations.push_back("an async caller got " + std::to_string(got) + " task_result(s) for " +
                                   std::to_string(async_jobs.size()) + " jobs");
            break;
          }
          ++outcomes;
          Term r = (*m->get<Term>())[1];
          int64_t n = -1;
          PoolJob j{};
          if (r.is_tuple(2) && r[0].is_atom("ok") && r[1].is_integer()) {
            auto it = async_jobs.find(r[1].integer_value() / 10);
            if (it != async_jobs.end()) n = it->first, j = it->second;
          }
          judge(t, c, n, j, r);
        }
        auto extra = co_await client.receive_any(0);
        if (extra) t.violations.push_back("a caller got an extra message: " + extra->to_term().to_string());
      });
    }
    for (const auto& f : c.faults) {
      if (f.at_ms > self.now_ms()) co_await self.sleep(f.at_ms - self.now_ms());
      if (f.kind == PoolFault::Kind::kill_dispatcher) {
        if (Pid d = self.whereis(pool::dispatcher_name("pool"))) {
          ++t.dispatcher_kills;
          self.exit(d, atom("kill"));
        }
        continue;
      }
      Pid reg = self.whereis(pool::registry_name("pool"));
      if (!reg) continue;
      int kills = f.kind == PoolFault::Kind::escalate ? static_cast<int>(c.worker_max_restarts) + 1 : 1;
      if (f.kind == PoolFault::Kind::escalate) ++t.escalations;
      for (int k = 0; k < kills; ++k) {
        Pid wp{};
        try {
          wp = co_await registry::whereis_name(self, reg, tuple(atom("worker"), integer(1 + (f.worker + k) % c.size)));
        } catch (const Exit&) {
          wp = Pid{};
        }
        if (wp) self.exit(wp, atom("kill"));
      }
    }
    co_await self.receive([](const Message&) { return false; });
  });
  sim::RunLimits limits{.max_steps = 5'000'000};
  limits.after_step = [&] {
    if (obs.available + obs.busy > c.size)
      t.violations.push_back("status: " + std::to_string(obs.available) + " available + " + std::to_string(obs.busy) +
                             " busy > size " + std::to_string(c.size));
    // Every worker the dispatcher counts is idle or busy, never both, and never more than size.
    if (obs.available + obs.busy != obs.workers || obs.workers > c.size)
      t.violations.push_back("status: " + std::to_string(obs.workers) + " workers, " + std::to_string(obs.available) +
                             " available + " + std::to_string(obs.busy) + " busy (size " + std::to_string(c.size) + ")");
    // The bound refuses a new job only when no worker idles: a job never waits beside an idle worker.
    if (obs.available > 0 && obs.pending > 0)
      t.violations.push_back("status: " + std::to_string(obs.pending) + " pending while " + std::to_string(obs.available) + " available");
    // The bound refuses new jobs; a retry of an accepted job (at most one per worker) is
    // never refused, so the queue may pass the bound by up to `size`.
    if (c.max_pending > 0 && obs.pending > static_cast<int64_t>(c.max_pending) + c.size)
      t.violations.push_back("status: " + std::to_string(obs.pending) + " pending > max_pending + size");
    return t.violations.empty();
  };
  auto r = w.run(limits);
  if (t.violations.empty() && r.stop == sim::StopReason::step_limit) t.violations.push_back("no quiescence (livelock?)");
  for (const auto& [n, runs] : t.runs)
    if (runs > c.max_attempts)
      t.violations.push_back("job " + std::to_string(n) + " ran " + std::to_string(runs) + " times, max_attempts is " +
                             std::to_string(c.max_attempts));
  if (t.violations.empty() && outcomes != submitted)
    t.violations.push_back(std::to_string(submitted) + " jobs submitted, " + std::to_string(outcomes) + " outcomes");
  if (t.violations.empty()) return std::nullopt;
  return t.violations.front();
}

}  // namespace otp::properties
