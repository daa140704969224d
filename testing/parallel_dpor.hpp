#pragma once
// dpor on several threads. Workers share one DporTree behind a lock; each runs a branch in its
// own world (a world stays single-threaded), then commits what the schedule taught. The tree
// hands out the deepest branch first, so one worker explores exactly as `sim::explore` does;
// with more, branches are taken in another order, the backtrack sets are the same shared sets,
// and the same traces are covered (the dpor suite compares outcome sets).
#include <functional>

#include <otpsim/sim/explore.hpp>

namespace otp::testing {

sim::ExploreResult explore_dpor_jobs(const sim::RunSchedule& run, const sim::ExploreOptions& opts, unsigned jobs,
                                     const std::function<void(const sim::ExploreResult&)>& progress = {});

}  // namespace otp::testing
