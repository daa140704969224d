#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <sstream>

#include <otpsim/core/components/circuit_breaker.hpp>
#include <otpsim/core/components/pool.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/limits.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/tree_invariants.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::sim {
namespace {

// Shared by the workers of one run: start counts and queued init failures, by child path.
struct RunState {
  std::map<std::string, int64_t> starts;
  std::map<std::string, std::vector<Term>> init_fail;
  std::map<std::string, std::vector<Term>> restart_fail;
  TreeLabels labels;  // every process of the tree, by pid id
  struct Tally {
    int64_t ok = 0, errors = 0, timeouts = 0, rejected = 0;
  };
  std::map<std::string, Tally> jobs;  // by pool / circuit breaker path
};

std::string component_name(const std::string& path) { return "scenario:" + path; }

// W for expects_down_before_exit: fails once, in the first incarnation only.
Proc watched(Process& self, int64_t fail_after_ms, bool fail) {
  if (fail) {
    co_await self.sleep(fail_after_ms);
    self.exit(atom("boom"));
  }
  co_await self.receive([](const Message&) { return false; });
}

Proc chain_link(Process& self, Pid prev) {
  self.link(prev);
  co_await self.receive([](const Message&) { return false; });
}

class ScenarioWorker : public GenServer {
 public:
  ScenarioWorker(RunState& st, std::string path, const ChildDecl& d) : st_(st), path_(std::move(path)), d_(d) {}
  Task<InitResult> init(Process& self) override {
    auto& q = st_.starts[path_] == 0 || st_.restart_fail[path_].empty() ? st_.init_fail[path_] : st_.restart_fail[path_];
    if (!q.empty()) {
      Term r = q.front();
      q.erase(q.begin());
      if (r.is_atom("ignore")) co_return InitResult::ignore();
      co_return InitResult::stop(r);
    }
    if (d_.trap_exit) self.trap_exit(true);
    ++st_.starts[path_];
    st_.labels[self.self().id] = {path_, self.parent(), 0};
    if (d_.behavior == ChildDecl::Behavior::expects_down_before_exit) {
      self.trap_exit(true);
      bool fail = st_.starts[path_] == 1;
      int64_t after = d_.fail_after_ms;
      auto [w, ref] = self.spawn_monitor([after, fail](Process& p) { return watched(p, after, fail); });
      watched_ = ref;
      Pid prev = w;
      for (int64_t i = 0; i < d_.chain; ++i) prev = self.spawn([prev](Process& p) { return chain_link(p, prev); });
      self.link(prev);
    }
    co_return InitResult::ok();
  }
  Task<Result> handle_cast(Process&, Message m) override {  // {crash, Reason}
    co_return Result::stop((*m.get<Term>())[1]);
  }
  Task<Result> handle_info(Process&, Message m) override {
    if (const auto* d = m.get<DownMsg>(); d && d->ref == watched_) down_seen_ = true;
    // The bug under test: "W's DOWN always comes first" — S5 orders W's own signals only.
    if (m.get<ExitMsg>() && d_.behavior == ChildDecl::Behavior::expects_down_before_exit && !down_seen_)
      co_return Result::stop(tuple(atom("assumption_violated"), atom("exit_before_down")));
    co_return Result::noreply();
  }
  Task<void> terminate(Process& self, Term) override {
    if (d_.stop_delay_ms > 0) co_await self.sleep(d_.stop_delay_ms);
  }

 private:
  RunState& st_;
  std::string path_;
  const ChildDecl& d_;
  Ref watched_{};
  bool down_seen_ = false;
};

std::vector<ChildSpec> specs(RunState& st, const ChildDecl& parent, const std::string& prefix);

ChildSpec spec(RunState& st, const ChildDecl& d, const std::string& prefix) {
  std::string path = prefix.empty() ? d.id : prefix + "/" + d.id;
  st.init_fail[path] = d.init_fail;
  st.restart_fail[path] = d.restart_fail;
  ChildSpec s;
  if (d.component == ChildDecl::Component::pool) {
    pool::Options o{.name = component_name(path), .size = static_cast<int>(d.pool_size),
                    .max_pending = static_cast<size_t>(d.max_pending), .max_attempts = static_cast<int>(d.max_attempts)};
    o.guide_mode = d.guide_mode;
    s = pool::child_spec(o);
    s.id = atom(d.id);
  } else if (d.component == ChildDecl::Component::circuit_breaker) {
    s = worker_spec(atom(d.id), circuit_breaker::factory({.threshold = static_cast<int>(d.threshold), .reset_timeout_ms = d.reset_ms}),
                    {.name = {.local = component_name(path)}});
  } else if (d.is_supervisor) {
    s = supervisor::supervisor_spec(atom(d.id), d.flags, specs(st, d, path));
    s.start = [&st, path, n = d.children.size(), start = s.start](Process& sup) -> Task<StartResult> {
      StartResult r = co_await start(sup);
      if (r.pid) st.labels[r.pid.id] = {path, sup.self(), n};
      co_return r;
    };
  } else {
    s = worker_spec(atom(d.id), [&st, path, &d] { return std::make_unique<ScenarioWorker>(st, path, d); });
  }
  s.restart = d.restart;
  s.shutdown = d.shutdown;
  s.significant = d.significant;
  return s;
}

std::vector<ChildSpec> specs(RunState& st, const ChildDecl& parent, const std::string& prefix) {
  std::vector<ChildSpec> out;
  for (const auto& c : parent.children) out.push_back(spec(st, c, prefix));
  return out;
}

// The pid at `path` below `root`, or Pid{} if any step has no live child.
Task<Pid> resolve(Process& self, Pid root, const std::string& path) {
  Pid at = root;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (!self.node().alive(at)) co_return Pid{};
    Term kids;
    try {
      kids = co_await supervisor::which_children(self, at);
    } catch (const Exit&) {
      co_return Pid{};  // it died while we asked
    }
    Pid next{};
    // A path names an atom id by its name (db, or Db even though Erlang prints 'Db') and a
    // pool worker as Erlang prints its id ({worker,1}).
    for (const auto& k : kids.items())
      if (((k[0].is_atom() && k[0].text() == part) || k[0].to_string() == part) && k[1].is_pid()) next = k[1].pid();
    if (!next) co_return Pid{};
    at = next;
  }
  co_return at;
}

std::string where(const Scenario& s, int line) { return s.file + ":" + std::to_string(line) + ": "; }

// The work a [[job]] does inside a pool worker or the breaker.
Task<Term> job_body(Process& p, int64_t duration_ms, JobDecl::Outcome outcome) {
  if (duration_ms > 0) co_await p.sleep(duration_ms);
  if (outcome == JobDecl::Outcome::exit) p.exit(atom("job_exit"));
  if (outcome == JobDecl::Outcome::fail) co_return tuple(atom("error"), atom("job_failed"));
  co_return tuple(atom("ok"), atom("done"));
}

void tally(RunState::Tally& t, const Term& outcome) {
  // Pool outcomes are {ok,V} | {error,E}; a failing pool job's value is itself {error,_}.
  if (outcome.is_tuple(2) && outcome[0].is_atom("ok") && !(outcome[1].is_tuple(2) && outcome[1][0].is_atom("error"))) ++t.ok;
  else if (outcome.is_tuple(2) && outcome[1].is_atom("timeout")) ++t.timeouts;
  else if (outcome.is_tuple(2) && (outcome[1].is_atom("overloaded") || outcome[1].is_atom("circuit_open"))) ++t.rejected;
  else ++t.errors;
}

// One client process per [[job]] entry.
Proc job_client(Process& self, RunState& st, const ChildDecl& target, JobDecl j) {
  if (j.at_ms > self.now_ms()) co_await self.sleep(j.at_ms - self.now_ms());
  std::string name = component_name(j.target);
  auto& t = st.jobs[j.target];
  auto fn = [d = j.duration_ms, o = j.outcome](Process& p) { return job_body(p, d, o); };
  if (target.component == ChildDecl::Component::circuit_breaker) {
    for (int64_t i = 0; i < j.count; ++i) {
      try {
        tally(t, co_await circuit_breaker::call(self, name, fn));
      } catch (const Exit&) {
        ++t.errors;  // the breaker is not there (restarting) or died during the call
      }
    }
    co_return;
  }
  if (j.mode == JobDecl::Mode::run) {
    for (int64_t i = 0; i < j.count; ++i) tally(t, co_await pool::run(self, name, fn, j.timeout_ms));
  } else if (j.mode == JobDecl::Mode::submit) {
    std::vector<pool::Submitted> subs;
    for (int64_t i = 0; i < j.count; ++i) subs.push_back(pool::submit(self, name, fn));
    for (const auto& s : subs) tally(t, co_await pool::await(self, s, j.timeout_ms));
  } else {
    for (int64_t i = 0; i < j.count; ++i) pool::async(self, name, fn, j.timeout_ms);
    for (int64_t i = 0; i < j.count; ++i) {
      auto m = co_await self.receive_any();
      tally(t, (*m->get<Term>())[1]);
    }
  }
}


}  // namespace

ScenarioOutcome run_scenario(const Scenario& s, uint64_t seed, bool keep_trace) {
  return run_scenario(s, ScenarioRun{.seed = seed, .keep_trace = keep_trace});
}

ScenarioOutcome run_scenario(const Scenario& s, const ScenarioRun& opts) {
  World w({.seed = opts.seed, .script = opts.script, .trace = true, .hook = opts.hook});
  w.executor().sim_trace()->keep_lines(opts.keep_trace);
  w.executor().sim_trace()->stream_to(opts.trace_out);
  RunState st;
  ScenarioOutcome out;
  std::vector<FaultDecl> faults = s.faults;
  std::stable_sort(faults.begin(), faults.end(), [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  std::vector<ChildSpec> root_specs = specs(st, s.root, "");
  Pid root{};
  bool done = false;
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    StartResult r = co_await supervisor::start_link(self, s.root.flags, root_specs);
    // A root that failed to start "exited" with its start error (S20: it is linked to us).
    std::optional<Term> start_error;
    if (!r.is_ok()) {
      start_error = r.reason;
      bool expected = std::any_of(s.expects.begin(), s.expects.end(),
                                  [](const ExpectDecl& e) { return e.kind == ExpectDecl::Kind::exit_reason; });
      if (!expected) out.failures.push_back(s.file + ": the root supervisor did not start: " + r.to_term().to_string());
    }
    root = r.pid;
    if (root) st.labels[root.id] = {"(root)", self.self(), s.root.children.size()};
    for (const auto& j : s.jobs) {
      const ChildDecl* target = find_child(s.root, j.target);
      self.spawn([&st, target, j](Process& p) { return job_client(p, st, *target, j); });
    }
    for (const auto& f : faults) {
      if (f.at_ms > self.now_ms()) co_await self.sleep(f.at_ms - self.now_ms());
      Pid target = co_await resolve(self, root, f.path);
      if (!target) continue;  // nothing alive there now: the fault is moot
      if (f.action == FaultDecl::Action::crash) gen_server::cast(self, target, tuple(atom("crash"), f.reason));
      if (f.action == FaultDecl::Action::exit) self.exit(target, f.reason);
      if (f.action == FaultDecl::Action::kill) self.exit(target, atom("kill"));
    }
    if (s.run_ms > self.now_ms()) co_await self.sleep(s.run_ms - self.now_ms());
    for (const auto& e : s.expects) {
      if (e.kind == ExpectDecl::Kind::jobs) {
        const auto& t = st.jobs[e.path];
        int64_t got = e.what == "ok" ? t.ok : e.what == "errors" ? t.errors : e.what == "timeouts" ? t.timeouts : t.rejected;
        if (got != e.count)
          out.failures.push_back(where(s, e.line) + "expected " + std::to_string(e.count) + " job(s) of " + e.path + " to end " + e.what +
                                 ", got " + std::to_string(got) + " (ok " + std::to_string(t.ok) + ", errors " + std::to_string(t.errors) +
                                 ", timeouts " + std::to_string(t.timeouts) + ", rejected " + std::to_string(t.rejected) + ")");
      } else if (e.kind == ExpectDecl::Kind::breaker_state) {
        std::string got = "not running";
        if (Pid b = self.whereis(component_name(e.path))) got = circuit_breaker::to_string(co_await circuit_breaker::state(self, b));
        if (got != e.what)
          out.failures.push_back(where(s, e.line) + "expected breaker " + e.path + " to be " + e.what + ", it is " + got);
      } else if (e.kind == ExpectDecl::Kind::starts) {
        int64_t got = st.starts[e.path];
        if (got != e.count)
          out.failures.push_back(where(s, e.line) + "expected " + e.path + " to start " + std::to_string(e.count) +
                                 " time(s), it started " + std::to_string(got));
      } else if (e.kind == ExpectDecl::Kind::alive) {
        bool alive = e.path.empty() ? self.node().alive(root) : static_cast<bool>(co_await resolve(self, root, e.path));
        if (alive != e.alive)
          out.failures.push_back(where(s, e.line) + "expected " + (e.path.empty() ? "the root supervisor" : e.path) +
                                 (e.alive ? " to be alive" : " to be dead"));
      } else {
        auto got = start_error ? start_error : self.node().exit_reason(root);
        if (!got || *got != e.reason)
          out.failures.push_back(where(s, e.line) + "expected the root supervisor to exit with " + e.reason.to_string() +
                                 ", got " + (got ? got->to_string() : "no exit (alive)"));
      }
    }
    done = true;
    co_await self.receive([](const Message&) { return false; });
  });
  RunLimits limits{.max_steps = otp::sim::limits::kRunSteps};
  std::optional<std::string> violation;
  if (opts.check_invariants || opts.on_step) {
    limits.after_step = [&] {
      if (opts.on_step && !opts.on_step(w.node(), w.executor())) return false;
      if (opts.check_invariants) {
        if (auto v = broken_tree_invariant(w.node(), st.labels)) violation = "invariant: " + *v;
      }
      return !violation;
    };
  }
  auto r = w.run(limits);
  if (violation) out.failures.push_back(s.file + ": " + *violation + " (step " + std::to_string(w.executor().steps()) + ")");
  if (!done && !violation)
    out.failures.push_back(s.file + ": the run did not reach run_ms (" + std::string(to_string(r.stop)) +
                           " at " + std::to_string(w.now_ms()) + " ms); blocked:\n" + w.blocked_report());
  out.trace_hash = w.trace_hash();
  out.trace_events = w.executor().sim_trace()->count();
  out.trace = w.trace_lines();
  out.starts = st.starts;
  out.decisions = w.executor().chooser().choices();
  out.replay_diverged = w.executor().chooser().replay_diverged();
  return out;
}

namespace {
void text_lines(const ChildDecl& d, const std::string& indent, std::string& out) {
  for (const auto& c : d.children) {
    std::string kind = c.is_supervisor ? std::string(to_string(c.flags.strategy)) + " supervisor"
                       : c.component == ChildDecl::Component::pool ? "pool of " + std::to_string(c.pool_size)
                       : c.component == ChildDecl::Component::circuit_breaker ? std::string("circuit breaker")
                                                                               : std::string("worker");
    out += indent + c.id + " (" + kind +
           ", " + to_string(c.restart) + ")\n";
    text_lines(c, indent + "  ", out);
  }
}
}  // namespace

std::string tree_text(const Scenario& s) {
  std::string out = s.name + " (" + to_string(s.root.flags.strategy) + ", " + std::to_string(s.root.flags.max_restarts) +
                    " restarts in " + std::to_string(s.root.flags.max_seconds) + " s)\n";
  text_lines(s.root, "  ", out);
  return out;
}

// Text from the file inside a DOT "..." label: quotes, backslashes and line breaks escaped, so
// an id or name cannot end the label early (ids are atoms: any characters but '/').
static std::string dot_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c != '\r') out += c;
  }
  return out;
}

std::string tree_dot(const Scenario& s) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g;
  std::vector<std::string> labels;
  auto add = [&](auto& self, const ChildDecl& d, const std::string& label) -> size_t {
    size_t v = boost::add_vertex(g);
    labels.push_back(label);
    for (const auto& c : d.children) {
      std::string l = dot_escape(c.id) + "\\n" + (c.is_supervisor ? to_string(c.flags.strategy) : to_string(c.restart));
      size_t child = self(self, c, l);
      boost::add_edge(v, child, g);
    }
    return v;
  };
  add(add, s.root, dot_escape(s.name) + "\\n" + to_string(s.root.flags.strategy));
  std::ostringstream os;
  boost::write_graphviz(os, g, [&](std::ostream& o, size_t v) { o << "[label=\"" << labels[v] << "\"]"; });
  return os.str();
}

}  // namespace otp::sim
