// contracts, scenario files: what a scenario promises (docs/scenarios.md) checked on small texts
// whose verdict is known: faults fire at their times whatever their order in the file, an
// expectation that does not hold fails, the documented defaults apply.
#include <otpsim/properties/contract_probe.hpp>
#include <otpsim/sim/scenario.hpp>

namespace otp::properties::contract {
namespace {

// The failures of one run of `text` (empty: it passed).
std::string run_text(Probe& p, const std::string& text) {
  sim::Scenario s = sim::parse_scenario(text, "probe.toml");
  sim::ScenarioOutcome o = sim::run_scenario(s, p.seed(), false);
  std::string out;
  for (const auto& f : o.failures) out += f + "; ";
  return out;
}

std::string tree(int64_t max_restarts, const std::string& max_seconds_line) {
  return "[supervisor]\nstrategy = \"one_for_one\"\nmax_restarts = " + std::to_string(max_restarts) + "\n" + max_seconds_line +
         "[[supervisor.children]]\nid = \"w\"\ntrap_exit = false\n";
}

std::string fault(int64_t at) { return "[[fault]]\nat_ms = " + std::to_string(at) + "\nchild = \"w\"\n"; }

// Faults fire at their at_ms whatever order the file lists them in: two crashes two whole
// seconds apart stay within max_restarts = 1 per second (listed late first, they would not if
// the early one waited for the late one).
void faults_in_any_order(Probe& p) {
  int64_t early = p.ms("early_fault_ms", 10, 100);
  int64_t late = early + p.ms("late_fault_after_ms", 2100, 2500);  // two whole seconds apart: the window counts seconds
  std::string text = "run_ms = " + std::to_string(late + 100) + "\n" + tree(1, "max_seconds = 1\n") + fault(late) + fault(early) +
                     "[[expect]]\nalive = true\n[[expect]]\nchild = \"w\"\nstarts = 3\n";
  p.expect("a file listing the late fault first", run_text(p, text), std::string());
}

// An expectation that does not hold fails the run: the root's exit_reason while it lives, the
// root expected dead while it lives, a start count the child did not reach or went past.
void unmet_expectation(Probe& p) {
  std::string kind = p.pick("unmet", std::vector<std::string>{"exit_reason", "alive", "starts"});
  std::string expect;
  if (kind == "exit_reason")
    expect = "exit_reason = \"" + p.pick("expected_exit_reason", std::vector<std::string>{"shutdown", "normal", "boom"}) + "\"";
  else if (kind == "alive")
    expect = "alive = false";
  else
    expect = "child = \"w\"\nstarts = " + std::to_string(p.pick("expected_starts", std::vector<int64_t>{0, 2}));  // it starts once
  std::string text = "run_ms = 100\n" + tree(3, "") + "[[expect]]\n" + expect + "\n";
  p.expect("an unmet " + kind + " expectation", run_text(p, text).empty(), false);
}

// The documented defaults: max_seconds 5 (so two crashes 4 whole seconds apart exceed max_restarts = 1:
// the root gives up), max_restarts 3 (so four crashes in a second do too).
void defaults(Probe& p) {
  bool seconds = p.chance("default_max_seconds");
  int64_t gap = seconds ? p.ms("gap_ms", 4000, 4800) : p.ms("gap_ms", 1, 200);  // 4 whole seconds apart: within 5, not within 3
  int crashes = seconds ? 2 : 4;
  std::string text = "run_ms = " + std::to_string(100 + gap * crashes + 100) + "\n" +
                     (seconds ? tree(1, "") : std::string("[supervisor]\nstrategy = \"one_for_one\"\nmax_seconds = 5\n[[supervisor.children]]\nid = \"w\"\ntrap_exit = false\n"));
  for (int i = 0; i < crashes; ++i) text += fault(100 + gap * i);
  text += "[[expect]]\nexit_reason = \"shutdown\"\n";
  p.expect(seconds ? "two crashes inside the default 5 s" : "four crashes against the default 3 restarts", run_text(p, text), std::string());
}

// What loading `text` says: "" when it loads, else the error (file:line:column: message).
std::string load_error(const std::string& text) {
  try {
    sim::parse_scenario(text, "probe.toml");
    return "";
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
}

// docs/scenarios.md: child ids are unique among siblings (the same id under two different
// supervisors is fine), and a pool's workers are {worker,1}..{worker,size}: a path naming any
// of them loads, {worker,size+1} is an error naming the range.
void scenario_paths(Probe& p) {
  auto size = p.ms("pool_size", 1, 5);
  auto worker = p.ms("fault_on_worker", 1, size + 1);
  bool dup = p.chance("two_siblings_share_an_id");
  bool cousins = p.chance("a_nested_child_reuses_an_id");
  std::string text = "run_ms = 100\n[supervisor]\n[[supervisor.children]]\nid = \"jobs\"\ntype = \"pool\"\nsize = " + std::to_string(size) +
                     "\n[[supervisor.children]]\nid = \"w\"\n";
  if (dup) text += "[[supervisor.children]]\nid = \"w\"\n";
  if (cousins) text += "[[supervisor.children]]\nid = \"inner\"\ntype = \"supervisor\"\n[[supervisor.children.children]]\nid = \"jobs\"\n";
  text += "[[fault]]\nat_ms = 10\nchild = \"jobs/workers/{worker," + std::to_string(worker) + "}\"\naction = \"kill\"\n";
  std::string err = load_error(text);
  if (dup) {
    p.expect("two siblings named w: an error at the second", err.rfind("probe.toml:10:", 0) == 0 && err.find("duplicate child id 'w'") != std::string::npos, true);
  } else if (worker > size) {
    p.expect("a fault on {worker," + std::to_string(worker) + "} of a pool of " + std::to_string(size) + ": an error naming the range",
             err.find("{worker,1}..{worker," + std::to_string(size) + "}") != std::string::npos, true);
  } else {
    p.expect("a fault on {worker," + std::to_string(worker) + "} of a pool of " + std::to_string(size), err, std::string());
  }
}

}  // namespace

const std::vector<ProbeDef>& scenario_probes() {
  static const std::vector<ProbeDef> v = {
      {"scenario-fault-order", "S90", faults_in_any_order},
      {"scenario-unmet-expectation", "S20", unmet_expectation},
      {"scenario-defaults", "S28", defaults},
      {"scenario-paths", "scenarios", scenario_paths},
  };
  return v;
}

}  // namespace otp::properties::contract
