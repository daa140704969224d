#pragma once
// An observer snapshot (what OTP's observer shows in its Applications tab): the supervision
// tree under a supervisor, every child with its id, pid (or undefined / restarting), type and
// restart count, nested supervisors expanded. Taken with sys::get_state of each supervisor, so
// it works on either executor while the tree runs (a threaded application can dump itself).
// A supervisor that exits while it is being walked shows as gone.
#include <string>
#include <vector>

#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp::observer {

struct TreeNode {
  Term id;                  // the child id (the root: the atom root)
  Term pid;                 // a pid, or the atom undefined / restarting
  std::string type;         // worker | supervisor
  int64_t restarts = 0;     // times its supervisor restarted it
  std::string strategy;     // a supervisor's: one_for_one, one_for_all, rest_for_one
  std::string note;         // why a supervisor's children are missing ("gone: noproc", ...)
  std::vector<TreeNode> children;  // in start order
};

Task<TreeNode> snapshot(Process& self, ServerRef root, Timeout timeout = 5000);

// Indented text: "root <0.2.0> supervisor one_for_one" then "  inner <0.3.0> supervisor ... restarts 1".
std::string to_text(const TreeNode& tree);
// Graphviz: a node per process, an edge per supervision link.
std::string to_dot(const TreeNode& tree);
// {"id": "...", "pid": "...", "type": "...", "restarts": N, "strategy": "...", "children": [...]}
std::string to_json(const TreeNode& tree);

}  // namespace otp::observer
