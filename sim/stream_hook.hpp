#pragma once
// StreamHook: a world's decisions taken from one Draws stream, the same stream a test draws
// its own inputs from, so a generated input and its interleaving replay and shrink as one
// list. Under an exploration strategy (pct, dfs) the strategy chooses and the choice is
// noted in the stream; a replay then needs only the stream.
#include <otpsim/sim/chooser.hpp>
#include <otpsim/sim/draws.hpp>

namespace otp::sim {

class StreamHook final : public DecisionHook {
 public:
  // fault_per_million: the rate of named fault points, which stay the stream's choice even
  // under a strategy (a strategy would fire them half the time).
  StreamHook(Draws& draws, DecisionHook* strategy, uint32_t fault_per_million)
      : draws_(draws), strategy_(strategy), fault_per_million_(fault_per_million) {}

  bool wants_labels() const override { return strategy_ != nullptr; }
  uint32_t choose_index(DecisionPoint p, uint32_t options) override {
    if (p == DecisionPoint::fault) return draws_.per_million(options) ? 1 : 0;
    return draws_.below(options);
  }
  bool wants_steps() const override { return strategy_ && strategy_->wants_steps(); }
  void stepped(const StepEvent& e) override { strategy_->stepped(e); }
  uint32_t choose(DecisionPoint p, const std::vector<OptionLabel>& options) override {
    if (p == DecisionPoint::fault) return draws_.per_million(fault_per_million_) ? 1 : 0;
    uint32_t c = strategy_->choose(p, options);
    draws_.note(c);
    return c;
  }

 private:
  Draws& draws_;
  DecisionHook* strategy_;
  uint32_t fault_per_million_;
};

}  // namespace otp::sim
