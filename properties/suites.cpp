#include <otpsim/properties/suites.hpp>

#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/properties/intensity_suite.hpp>
#include <otpsim/properties/pool_suite.hpp>
#include <otpsim/properties/supervisor_suite.hpp>
#include <otpsim/properties/tree_suite.hpp>
#include <otpsim/testing/registry.hpp>

namespace otp::properties {

namespace {

SuiteOutcome supervisor_model(sim::Draws& d) {
  SupCase c = random_case(d);
  return {check_case(c), describe(c)};
}
SuiteOutcome restart_types(sim::Draws& d) {
  SupCase c = random_case(d, true);
  return {check_case(c), describe(c)};
}
SuiteOutcome intensity(sim::Draws& d) {
  NestedCase c = random_nested_case(d);
  return {check_nested_case(c), describe(c)};
}
SuiteOutcome invariants(sim::Draws& d) {
  TreeCase c = random_tree_case(d);
  return {check_invariants(c), describe(c)};
}
SuiteOutcome pool_contract(sim::Draws& d) {
  PoolCase c = random_pool_case(d);
  return {check_pool_case(c), describe(c)};
}
SuiteOutcome pool_guide(sim::Draws& d) {
  PoolCase c = random_pool_case(d, true);
  return {check_pool_case(c), describe(c)};
}
SuiteOutcome determinism(sim::Draws& d) {
  TreeCase c = random_tree_case(d);
  return {check_determinism(c), describe(c)};
}

}  // namespace

const std::vector<Suite>& all_suites() {
  static const std::vector<Suite> suites = {
      {"supervisor-model", "S23 S25-S28", "restart-strategy ordering: the simulated event log equals the reference model's", supervisor_model},
      {"intensity", "S28 S30", "a nested supervisor escalates exactly when the model says and its parent restarts it", intensity},
      {"restart-types", "S21 S24 S31", "restart per exit reason and restart type; API results and the specs left afterwards", restart_types},
      {"determinism", "S91", "same case and seed => same trace hash; the recorded decision list replays to it", determinism},
      {"invariants", "S3 S23 S28", "random trees and faults: per-step safety invariants and no orphans at rest", invariants},
      {"kernel-signals", "S1-S4", "random links, monitors, trap_exit, exits and exit/2 between processes: every EXIT and DOWN seen and every exit reason match the model", kernel_signals_suite},
      {"registry", "S60", "unique and duplicate keys registered, unregistered, looked up and counted while owners die and are replaced; a dead holder's key is free at once", registry_suite},
      {"gen-server-call", "S11", "calls with random timeouts to servers that reply, reply late, never reply, stop or crash: each call ends as the model says; no late reply or stray DOWN reaches the caller", gen_server_call_suite},
      {"task", "S50", "tasks ending at known times with values or exits; await, yield, yield_many, shutdown and brutal_kill with random timeouts give the model's outcomes", task_suite},
      {"dynamic-supervisor", "S40 S28", "children of every restart type started, crashed, killed and terminated under max_children, extra_arguments and intensity: results, counts, restart arguments and giving up match the model", dynamic_supervisor_suite},
      {"sim-tests", "S5 S90 S91", "random simulation tests with a planted deadlock, livelock, invariant breach or swarm faults: the runner's verdict is the one planted, invariants run after every step and stop the run, faults land as the trace says and never on the test process, the stream replays", sim_test_suite},
      {"dpor", "S1-S5 S91", "random small programs of sends, receives (blocking and after 0), links, monitors, trap_exit and exit signals: dpor's outcomes (what each process received, and how it ended) equal unreduced exhaustive DFS's, in no more schedules than DFS with sleep sets", dpor_suite},
      {"contracts", "S3 S6 S7 S10-S12 S21-S23 S28 S31 S32 S40 S50 S60 S70 S80 S91", "one documented API behaviour per case, with drawn timings, reasons and schedule: names, unlink, links to the dead, timers; GenServer init results, terminate, timeouts, names; the supervisor child API, significant children, shutdown; DynamicSupervisor, Task, Registry.dispatch, Application, pool retries, replay tokens: each result, exit reason and survival as OTP gives it", contract_suite},
      {"pool", "S80", "every pool job gets exactly one outcome naming what happened, under worker/dispatcher kills and escalations", pool_contract},
      {"rt", "S1-S6, S10, S11", "on the threaded executor (two workers): kernel-signals' links, monitors and exits against its model, numbered streams from senders running side by side arriving whole and in order, send_after / cancel_timer / receive-after never early, a timer cancelled with time left never delivered and any other delivered once, calls timing out as the server answers leaving no reply behind, a start under a name right after an init under it failed never refused, a worker's run queue giving every slot of a burst past its capacity exactly once, a process sent home to a sleeping worker run (share_after 0: waits bounded)", rt_suite},
  };
  return suites;
}

// Not in all_suites(): the guide's original pool, which S80 is expected to reject.
const Suite& guide_pool_suite() {
  static const Suite s{"pool-guide", "S80", "the guide's original pool design under the pool suite's contract (expected to fail)", pool_guide};
  return s;
}

const Suite* find_suite(std::string_view name) {
  for (const auto& s : all_suites())
    if (name == s.name) return &s;
  if (name == guide_pool_suite().name) return &guide_pool_suite();
  return nullptr;
}

void register_suites() {
  static const bool done = [] {
    std::vector<const Suite*> list;
    for (const auto& s : all_suites()) list.push_back(&s);
    list.push_back(&guide_pool_suite());
    for (const Suite* suite : list) {
      testing::Entry e;
      e.kind = testing::Entry::Kind::suite;
      e.name = suite->name;
      e.rules = suite->rules;
      e.what = suite->what;
      e.in_all = suite != &guide_pool_suite();
      e.run = [suite](uint64_t seed, const std::optional<std::vector<uint32_t>>& choices, std::ostream*) {
        sim::Draws d = choices ? sim::Draws(*choices) : sim::Draws(seed);
        SuiteOutcome o = suite->run(d);
        testing::EntryRun r;
        if (o.failure)
          r.failures.push_back(std::string(suite->name) + " (" + suite->rules + "): " + suite->what + "\n  " + *o.failure);
        r.case_text = std::move(o.case_text);
        r.choices = d.recorded();
        return r;
      };
      testing::registry().add(std::move(e));
    }
    return true;
  }();
  (void)done;
}

}  // namespace otp::properties
