#pragma once
// A pure reference model of one supervisor (no processes, no simulator): given its flags,
// its children and a timed sequence of operations (child exits and API calls), it predicts
// the events a run logs — "crash:id", "stop:id:Reason", "start:id", "terminate:id->Result" —
// whether it escalates, and the children left at the end. Short enough to check by reading
// (S21, S23-S28, S31).
#include <string>
#include <vector>

#include <otpsim/core/behaviours/child_spec.hpp>

namespace otp::model {

struct ModelChild {
  std::string id;
  Restart restart = Restart::permanent;
};

enum class OpKind : uint8_t { exit, terminate_child, restart_child, delete_child };

struct Exit {
  size_t child;    // index into the children as declared
  Term reason;     // exit: the reason the child stops with
  int64_t at_ms;   // virtual time of the operation
  OpKind op = OpKind::exit;
};

struct Prediction {
  std::vector<std::string> events;
  bool escalated = false;
  size_t consumed = 0;             // operations applied (all, unless it escalated)
  std::vector<std::string> final;  // "id:running" | "id:undefined", in start order
};

Prediction predict(const SupFlags& flags, const std::vector<ModelChild>& children, const std::vector<Exit>& ops);

}  // namespace otp::model
