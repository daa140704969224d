#include <otpsim/sim/world.hpp>

namespace otp::sim {

const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::quiescent: return "quiescent";
    case StopReason::time_limit: return "time_limit";
    case StopReason::step_limit: return "step_limit";
    case StopReason::stopped: return "stopped";
  }
  return "?";
}

World::World(const SimOptions& opts) : exec_(opts), node_(std::make_unique<Node>(exec_)) {
  exec_.attach(*node_);
}

RunResult World::run(RunLimits limits) {
  uint64_t start = exec_.steps();
  while (exec_.steps() - start < limits.max_steps) {
    if (!exec_.step(limits.until_ms)) {
      if (limits.until_ms != INT64_MAX && exec_.next_deadline()) {
        exec_.advance_to(limits.until_ms);
        return {StopReason::time_limit, exec_.steps() - start, now_ms()};
      }
      return {StopReason::quiescent, exec_.steps() - start, now_ms()};
    }
    if (limits.after_step && !limits.after_step()) return {StopReason::stopped, exec_.steps() - start, now_ms()};
  }
  return {StopReason::step_limit, exec_.steps() - start, now_ms()};
}

uint64_t World::trace_hash() const {
  const SimTrace* t = exec_.sim_trace();
  return t ? t->hash() : 0;
}

const std::vector<std::string>& World::trace_lines() const {
  static const std::vector<std::string> none;
  const SimTrace* t = exec_.sim_trace();
  return t ? t->lines() : none;
}

std::string World::blocked_report(const std::function<std::string(Pid)>& role, const std::string& indent) const {
  std::string out;
  for (Pid pid : node_->live_pids()) {
    Process* p = node_->find(pid);
    out += indent + Term(pid).to_string();
    if (std::string r = role ? role(pid) : std::string(); !r.empty()) out += " (" + r + ")";
    if (!p->registered_name().empty()) out += " (" + p->registered_name() + ")";
    out += ": " + p->describe_wait() + "\n";
  }
  return out;
}

}  // namespace otp::sim
