#pragma once
// Scenarios: a human-written TOML file declaring a supervision tree, a fault plan and
// expectations (schema: docs/scenarios.md). Bad files get file:line:column errors.
// Bounds on every input: sim/limits.hpp.
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <otpsim/core/behaviours/child_spec.hpp>
#include <otpsim/sim/chooser.hpp>
#include <otpsim/sim/sim_executor.hpp>

namespace otp::sim {

struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;  // what(): "file:line:column: message"
};

struct ChildDecl {
  std::string id;
  bool is_supervisor = false;
  // A library component instead of a test worker: the worker pool (S80) or a circuit breaker.
  enum class Component : uint8_t { none, pool, circuit_breaker } component = Component::none;
  int64_t pool_size = 2, max_attempts = 1, max_pending = 0;  // pool
  bool guide_mode = false;                                   // pool: the guide's lossy design
  int64_t threshold = 3, reset_ms = 1000;                    // circuit breaker
  Restart restart = Restart::permanent;
  Shutdown shutdown{};
  bool significant = false;
  bool trap_exit = true;         // workers: trap exits, so terminate runs on shutdown
  int64_t stop_delay_ms = 0;     // workers: time terminate takes
  std::vector<Term> init_fail;   // workers: queued init outcomes (a reason, or ignore)
  std::vector<Term> restart_fail;  // workers: like init_fail, but only once it has started (S29)
  // workers: plain, or a known-buggy user server for exploration: expects_down_before_exit
  // monitors a process W and is linked (trapping) to the end of a chain of `chain` processes
  // linked to W; W fails after fail_after_ms; the server assumes W's DOWN arrives before the
  // chain's EXIT — true in most schedules, not all (S5 orders only one sender's signals).
  enum class Behavior : uint8_t { plain, expects_down_before_exit } behavior = Behavior::plain;
  int64_t chain = 1;
  int64_t fail_after_ms = 100;
  SupFlags flags{};              // supervisors
  std::vector<ChildDecl> children;
};

struct FaultDecl {
  enum class Action : uint8_t { crash, exit, kill } action = Action::crash;
  int64_t at_ms = 0;
  std::string path;  // "a", "inner/x"
  Term reason = atom("boom");
  int line = 0;
};

// Jobs sent to a pool or calls through a circuit breaker, from a client process.
struct JobDecl {
  int64_t at_ms = 0;
  std::string target;  // path of a pool or circuit_breaker child
  int64_t count = 1;   // sent one after another
  int64_t duration_ms = 10;
  enum class Outcome : uint8_t { ok, fail, exit } outcome = Outcome::ok;  // fail: {error,_} / throw
  enum class Mode : uint8_t { run, async, submit } mode = Mode::run;      // pool only
  int64_t timeout_ms = 5000;
  int line = 0;
};

struct ExpectDecl {
  enum class Kind : uint8_t { starts, alive, exit_reason, jobs, breaker_state } kind = Kind::alive;
  std::string path;  // "" = the root supervisor
  std::string what;  // jobs: ok | errors | timeouts | rejected; breaker_state: closed | open | half_open
  int64_t count = 0;
  bool alive = true;
  Term reason{};
  int line = 0;
};

struct Scenario {
  std::string file;
  std::string name;
  int64_t run_ms = 60'000;
  ChildDecl root;  // the top supervisor
  std::vector<FaultDecl> faults;
  std::vector<JobDecl> jobs;
  std::vector<ExpectDecl> expects;
};

// Reads at most limits::kScenarioFileBytes (a directory, a missing file or a bigger one is a
// ScenarioError naming the path) and parses it. Every count, size, depth and duration is
// bounded (sim/limits.hpp, docs/scenarios.md "Limits"); every path in [[fault]], [[job]] and
// [[expect]] must name a declared child.
Scenario load_scenario(const std::string& path);
// The same from text in memory (`path` names it in messages); the fuzz target's entry.
Scenario parse_scenario(std::string_view text, const std::string& path);
// The declaration at a path of ids ("inner/x") below `root`, or nullptr.
const ChildDecl* find_child(const ChildDecl& root, const std::string& path);

struct ScenarioOutcome {
  std::vector<std::string> failures;  // unmet expectations, each with its file:line
  uint64_t trace_hash = 0;
  uint64_t trace_events = 0;
  std::vector<std::string> trace;  // when keep_trace
  std::map<std::string, int64_t> starts;  // by child path
  std::vector<uint32_t> decisions;        // the Chooser's recorded choices
  bool replay_diverged = false;           // a scripted choice did not fit this run
  bool passed() const { return failures.empty(); }
};

struct ScenarioRun {
  uint64_t seed = 1;
  std::optional<std::vector<uint32_t>> script{};  // replay these decisions instead of the seed
  bool keep_trace = false;
  // Each trace line is also written here as it happens (the CLI streams a run's trace rather
  // than holding up to max_steps lines in memory).
  std::ostream* trace_out = nullptr;
  DecisionHook* hook = nullptr;  // explore: a strategy makes the choices
  // After every step: alive xor exactly one exit recorded; one live process per
  // (supervisor, child id). Violations are failures like unmet expectations.
  bool check_invariants = true;
  // Reported after every step (explore counts distinct states with it); returning false stops
  // the run there (explore's time budget), which then fails as not having reached run_ms.
  std::function<bool(Node&, SimExecutor&)> on_step{};
};

ScenarioOutcome run_scenario(const Scenario& s, const ScenarioRun& opts);
ScenarioOutcome run_scenario(const Scenario& s, uint64_t seed, bool keep_trace);

std::string tree_text(const Scenario& s);
std::string tree_dot(const Scenario& s);

}  // namespace otp::sim
