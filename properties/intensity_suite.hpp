#pragma once
// The intensity suite (S28, S30): a top supervisor (one_for_one) over an inner supervisor of
// random flags; exits hit the inner supervisor's children. The inner one must give up exactly
// when the model says, exit with `shutdown`, and be restarted by the top one, which itself
// gives up when its own intensity is exceeded. The same model instance predicts both levels.
#include <optional>
#include <string>

#include <otpsim/properties/supervisor_suite.hpp>

namespace otp::properties {

struct NestedCase {
  SupCase inner;        // flags, children and exits of the inner supervisor
  int64_t top_max_restarts = 1;
  int64_t top_max_seconds = 5;
};

NestedCase random_nested_case(sim::Draws& d);
model::Prediction predict_nested(const NestedCase& c);
std::optional<std::string> check_nested_case(const NestedCase& c);
std::string describe(const NestedCase& c);

}  // namespace otp::properties
