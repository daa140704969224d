#pragma once
// Random supervision trees (depth <= 4, mixed strategies, every restart type and shutdown
// kind, intensity limits incl. 0, trapping workers with slow shutdowns, failing restarts)
// under random fault plans (crash with normal / shutdown / {shutdown,T} / abnormal reasons,
// kill, exit signals to supervisors, several faults in the same ms, faults landing during a
// shutdown or a restart). Two suites use them:
//  - invariants (suite 5): checked after every simulator step;
//  - determinism (S91): same case and seed => same trace hash, and the recorded decision
//    list replays to the same hash.
#include <optional>
#include <string>
#include <vector>

#include <otpsim/core/behaviours/child_spec.hpp>
#include <otpsim/sim/draws.hpp>

namespace otp::properties {

struct TreeNode {
  std::string id;
  bool is_supervisor = false;
  SupFlags flags{};
  Restart restart = Restart::permanent;
  Shutdown shutdown{};
  bool trap = true;
  int64_t stop_delay_ms = 0;
  std::vector<Term> restart_fail{};  // workers: the next restarts fail with these reasons
  std::vector<TreeNode> children{};
};

struct Fault {
  enum class Action : uint8_t { crash, kill, exit_signal } action = Action::crash;
  int64_t at_ms = 0;
  uint32_t target = 0;  // index into the processes of the tree alive at that moment
  Term reason{};
};

struct TreeCase {
  TreeNode root;
  std::vector<Fault> faults;
  uint64_t seed = 1;
};

TreeCase random_tree_case(sim::Draws& d);
std::string describe(const TreeCase& c);

struct TreeRun {
  std::optional<std::string> violation;  // the first invariant broken, with the step
  uint64_t trace_hash = 0;
  std::vector<uint32_t> decisions;
  uint64_t steps = 0;
};
// script: replay these scheduling decisions instead of the case's seed.
TreeRun run_tree_case(const TreeCase& c, bool trace, const std::vector<uint32_t>* script = nullptr);

std::optional<std::string> check_invariants(const TreeCase& c);
std::optional<std::string> check_determinism(const TreeCase& c);

}  // namespace otp::properties
