#include <otpsim/sim/tree_invariants.hpp>

namespace otp::sim {

std::optional<std::string> broken_tree_invariant(Node& node, const TreeLabels& labels) {
  std::map<std::pair<uint64_t, std::string>, uint64_t> live_by_child;  // (supervisor, id)
  std::map<uint64_t, size_t> live_children;                            // by supervisor pid id
  for (const auto& [id, l] : labels) {
    Pid pid{id};
    bool alive = node.alive(pid);
    bool recorded = node.exit_reason(pid).has_value();
    // (the node keeps its last exit_capacity() exits: an older one may have been forgotten)
    if (alive == recorded && (alive || node.exits_forgotten() == 0))
      return "process " + Term(pid).to_string() + " (" + l.path + ") is " +
             (alive ? "alive with an exit recorded" : "dead with no exit recorded");
    if (!alive) continue;
    auto [it, fresh] = live_by_child.emplace(std::make_pair(l.parent.id, l.path), id);
    if (!fresh)
      return "two live processes for child " + l.path + ": " + Term(Pid{it->second}).to_string() + " and " + Term(pid).to_string();
    ++live_children[l.parent.id];
    if (!node.alive(l.parent)) {
      auto why = node.exit_reason(l.parent);
      if (why && !why->is_atom("killed"))  // S23: a supervisor that ends on its own stops its children first
        return l.path + " " + Term(pid).to_string() + " outlived its supervisor " + Term(l.parent).to_string() +
               ", which exited with " + why->to_string();
    }
  }
  for (const auto& [sup, n] : live_children) {
    auto it = labels.find(sup);
    if (it != labels.end() && n > it->second.spec_count)
      return "supervisor " + it->second.path + " has " + std::to_string(n) + " live children but " +
             std::to_string(it->second.spec_count) + " specs";
  }
  return std::nullopt;
}

}  // namespace otp::sim
