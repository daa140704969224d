#include <otpsim/properties/tree_suite.hpp>

#include <map>

#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/tree_invariants.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {

namespace {

Term random_reason(sim::Draws& d) {
  switch (d.below(5)) {
    case 0: return atom("normal");
    case 1: return atom("shutdown");
    case 2: return tuple(atom("shutdown"), atom("bye"));
    default: return atom("boom");
  }
}

TreeNode random_node(sim::Draws& d, int depth, const std::string& id, bool is_sup) {
  static constexpr Strategy strategies[] = {Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one};
  static constexpr Restart restarts[] = {Restart::permanent, Restart::transient, Restart::temporary};
  TreeNode n;
  n.id = id;
  n.is_supervisor = is_sup;
  n.restart = restarts[d.below(3)];
  if (is_sup) {
    n.flags.strategy = strategies[d.below(3)];
    n.flags.max_restarts = d.below(6);  // 0 included
    n.flags.max_seconds = 1 + d.below(5);
    uint32_t kids = 1 + d.below(4);
    for (uint32_t i = 0; i < kids; ++i)
      n.children.push_back(random_node(d, depth + 1, id + "." + std::to_string(i), depth < 3 && d.chance(3)));
    if (d.chance(3)) n.shutdown = Shutdown::brutal_kill();  // else infinity (the default)
    return n;
  }
  switch (d.below(4)) {
    case 0: n.shutdown = Shutdown::brutal_kill(); break;
    case 1: n.shutdown = Shutdown::timeout(1 + d.below(200)); break;
    case 2: n.shutdown = Shutdown::infinity(); break;
    default: break;  // 5000 ms
  }
  n.trap = !d.chance(4);
  if (d.chance(3)) n.stop_delay_ms = d.below(400);  // slow terminate: may outlast the timeout
  if (n.shutdown.kind == Shutdown::Kind::infinity) n.stop_delay_ms = std::min<int64_t>(n.stop_delay_ms, 50);
  for (uint32_t f = d.below(4) == 0 ? 1 + d.below(3) : 0; f > 0; --f) n.restart_fail.push_back(atom("no_db"));
  return n;
}

// The run's shared state: which process is which node of the tree.
struct Registry {
  sim::TreeLabels labels;
  std::map<std::string, std::vector<Term>> restart_fail;
  std::map<std::string, int> starts;
};

class TreeWorker : public GenServer {
 public:
  TreeWorker(Registry& r, const TreeNode& n) : r_(r), n_(n) {}
  Task<InitResult> init(Process& self) override {
    auto& q = r_.restart_fail[n_.id];
    if (r_.starts[n_.id] > 0 && !q.empty()) {  // S29: a restart that fails
      Term reason = q.front();
      q.erase(q.begin());
      co_return InitResult::stop(reason);
    }
    ++r_.starts[n_.id];
    if (n_.trap) self.trap_exit(true);
    r_.labels[self.self().id] = {n_.id, self.parent(), 0};
    co_return InitResult::ok();
  }
  Task<Result> handle_cast(Process&, Message m) override { co_return Result::stop((*m.get<Term>())[1]); }
  Task<void> terminate(Process& self, Term) override {
    if (n_.stop_delay_ms > 0) co_await self.sleep(n_.stop_delay_ms);
  }

 private:
  Registry& r_;
  const TreeNode& n_;
};

ChildSpec node_spec(Registry& r, const TreeNode& n) {
  ChildSpec s;
  if (n.is_supervisor) {
    std::vector<ChildSpec> kids;
    for (const auto& k : n.children) kids.push_back(node_spec(r, k));
    s = supervisor::supervisor_spec(atom(n.id), n.flags, std::move(kids));
    s.start = [&r, &n, start = s.start](Process& sup) -> Task<StartResult> {
      StartResult res = co_await start(sup);
      if (res.pid) r.labels[res.pid.id] = {n.id, sup.self(), n.children.size()};
      co_return res;
    };
  } else {
    s = worker_spec(atom(n.id), [&r, &n] { return std::make_unique<TreeWorker>(r, n); });
  }
  s.restart = n.restart;
  s.shutdown = n.shutdown;
  return s;
}

std::string describe_node(const TreeNode& n) {
  std::string s = n.id + "[" + to_string(n.restart) + " " + to_term(n.shutdown).to_string();
  if (n.is_supervisor) {
    s += " " + std::string(to_string(n.flags.strategy)) + " " + std::to_string(n.flags.max_restarts) + "/" +
         std::to_string(n.flags.max_seconds) + "s](";
    for (const auto& k : n.children) s += describe_node(k) + " ";
    return s + ")";
  }
  if (!n.trap) s += " no-trap";
  if (n.stop_delay_ms) s += " stop=" + std::to_string(n.stop_delay_ms) + "ms";
  if (!n.restart_fail.empty()) s += " restart-fails=" + std::to_string(n.restart_fail.size());
  return s + "]";
}

void collect_fail_queues(Registry& r, const TreeNode& n) {
  if (!n.restart_fail.empty()) r.restart_fail[n.id] = n.restart_fail;
  for (const auto& k : n.children) collect_fail_queues(r, k);
}

}  // namespace

TreeCase random_tree_case(sim::Draws& d) {
  TreeCase c;
  c.root = random_node(d, 0, "root", true);
  c.root.flags.max_restarts = 1 + d.below(5);
  int64_t t = 0;
  for (uint32_t n = d.below(9); n > 0; --n) {
    if (!d.chance(3)) t += d.below(1200);  // one in three: the same ms as the previous fault
    Fault f;
    f.at_ms = t;
    uint32_t a = d.below(6);
    f.action = a == 0 ? Fault::Action::kill : a == 1 ? Fault::Action::exit_signal : Fault::Action::crash;
    f.target = d.below(64);
    f.reason = random_reason(d);
    c.faults.push_back(f);
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const TreeCase& c) {
  std::string s = describe_node(c.root) + " faults=";
  static const char* const actions[] = {"crash", "kill", "exit"};
  for (const auto& f : c.faults)
    s += std::string(actions[static_cast<int>(f.action)]) + "(#" + std::to_string(f.target) + "," + f.reason.to_string() + ")@" +
         std::to_string(f.at_ms) + " ";
  return s + "sched-seed=" + std::to_string(c.seed);
}

TreeRun run_tree_case(const TreeCase& c, bool trace, const std::vector<uint32_t>* script) {
  sim::SimOptions opts{.seed = c.seed, .trace = trace};
  if (script) opts.script = *script;
  sim::World w(opts);
  Registry r;
  collect_fail_queues(r, c.root);
  Pid root{};
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    std::vector<ChildSpec> kids;
    for (const auto& k : c.root.children) kids.push_back(node_spec(r, k));
    root = (co_await supervisor::start_link(self, c.root.flags, std::move(kids))).pid;
    if (root) r.labels[root.id] = {"root", self.self(), c.root.children.size()};
    for (const auto& f : c.faults) {
      if (f.at_ms > self.now_ms()) co_await self.sleep(f.at_ms - self.now_ms());
      std::vector<std::pair<Pid, bool>> live;  // the tree's processes alive now, by pid
      for (const auto& [id, l] : r.labels)
        if (self.node().alive(Pid{id})) live.push_back({Pid{id}, l.spec_count > 0});
      if (live.empty()) break;
      auto [target, is_sup] = live[f.target % live.size()];
      if (f.action == Fault::Action::kill) self.exit(target, atom("kill"));
      else if (f.action == Fault::Action::exit_signal || is_sup) self.exit(target, f.reason);
      else gen_server::cast(self, target, tuple(atom("crash"), f.reason));
    }
    co_await self.receive([](const Message&) { return false; });
  });
  TreeRun out;
  sim::RunLimits limits{.max_steps = 3'000'000};
  limits.after_step = [&] {
    if (!out.violation) {
      if (auto v = sim::broken_tree_invariant(w.node(), r.labels)) out.violation = "step " + std::to_string(w.executor().steps()) + " at " + std::to_string(w.now_ms()) + " ms: " + *v;
    }
    return !out.violation;
  };
  sim::RunResult res = w.run(limits);
  if (!out.violation && res.stop == sim::StopReason::step_limit)
    out.violation = "no quiescence within " + std::to_string(limits.max_steps) + " steps (livelock?)";
  if (!out.violation) {  // at rest: no process of the tree without a live supervisor
    for (const auto& [id, l] : r.labels)
      if (w.alive(Pid{id}) && !w.alive(l.parent) && l.path != "root")
        out.violation = "at rest, " + l.path + " " + Term(Pid{id}).to_string() + " is alive but its supervisor " +
                        Term(l.parent).to_string() + " is not";
  }
  out.trace_hash = w.trace_hash();
  out.decisions = w.executor().chooser().choices();
  out.steps = w.executor().steps();
  return out;
}

std::optional<std::string> check_invariants(const TreeCase& c) { return run_tree_case(c, false).violation; }

std::optional<std::string> check_determinism(const TreeCase& c) {  // S91
  TreeRun a = run_tree_case(c, true);
  TreeRun b = run_tree_case(c, true);
  if (a.trace_hash != b.trace_hash)
    return "same case and seed, different trace hashes: " + std::to_string(a.trace_hash) + " vs " + std::to_string(b.trace_hash);
  TreeRun replayed = run_tree_case(c, true, &a.decisions);
  if (replayed.trace_hash != a.trace_hash)
    return "replaying the recorded decision list gave a different trace hash";
  return a.violation;
}

}  // namespace otp::properties
