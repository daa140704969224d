#pragma once
// A pure reference model of one supervisor (no processes, no simulator): given its flags,
// its children and a timed sequence of child exits, it predicts the events a run logs:
// "crash:id", "stop:id:Reason", "start:id". Kept short enough to check by reading (S23-S28).
#include <string>
#include <vector>

#include "core/child_spec.hpp"

namespace otp::model {

struct ModelChild {
  std::string id;
  Restart restart = Restart::permanent;
};

struct Exit {
  size_t child;    // index into the children as declared
  Term reason;     // the reason the child stops with
  int64_t at_ms;   // virtual time of the exit
};

struct Prediction {
  std::vector<std::string> events;
  bool escalated = false;
};

Prediction predict(const SupFlags& flags, const std::vector<ModelChild>& children, const std::vector<Exit>& exits);

}  // namespace otp::model
