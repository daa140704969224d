#pragma once
// The supervision-tree invariants checked after every simulator step, by the `invariants`
// property suite and by every scenario run (check, explore):
//  - every labelled process is alive xor has exactly one exit recorded;
//  - a supervisor has at most one live process per child id, and no more live children than specs;
//  - no child is alive after its supervisor exited on its own (only `killed` leaves orphans for
//    a moment: the EXIT from the link is still on its way) (S23).
#include <map>
#include <optional>
#include <string>

#include <otpsim/core/kernel/node.hpp>

namespace otp::sim {

struct TreeLabel {
  std::string path;
  Pid parent{};            // the supervisor that started it
  size_t spec_count = 0;   // supervisors: how many children they declare
};
using TreeLabels = std::map<uint64_t, TreeLabel>;  // by pid id; ordered, so reports are deterministic

std::optional<std::string> broken_tree_invariant(Node& node, const TreeLabels& labels);

}  // namespace otp::sim
