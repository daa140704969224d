#include <otpsim/testing/run_once.hpp>

#include <algorithm>
#include <exception>

#include <otpsim/sim/stream_hook.hpp>

namespace otp::testing {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::passed: return "passed";
    case Verdict::failed: return "failed";
    case Verdict::deadlock: return "deadlock";
    case Verdict::no_quiescence: return "no quiescence";
  }
  return "?";
}

std::string RunOutcome::key() const {
  std::string k = to_string(verdict);
  if (verdict != Verdict::failed || failures.empty()) return k;
  const Failure& f = failures.front();
  if (!f.file.empty()) return k + " " + f.file + ":" + std::to_string(f.line);
  return k + " " + f.message.substr(0, f.message.find('\n'));
}

std::string RunOutcome::describe() const {
  std::string out;
  for (const auto& f : failures) {
    if (!f.file.empty()) out += f.file + ":" + std::to_string(f.line) + ": ";
    out += f.message;
    if (out.empty() || out.back() != '\n') out += '\n';
  }
  return out;
}

// Task<Pid> SimTest::start_supervised: the test supervisor is started on first use.
Task<Pid> SimTest::start_supervised(ChildSpec spec) {
  if (!sup_) {  // no fault lands on the test supervisor, even while it starts
    bool paused = std::exchange(faults_paused_, true);
    StartResult r = co_await supervisor::start_link(*self_, {.max_restarts = 1'000'000, .max_seconds = 1}, {});
    sup_ = r.pid;
    faults_paused_ = paused;
  }
  Term r = co_await supervisor::start_child(*self_, sup_, std::move(spec));
  if (!r.is_tuple() || !r[0].is_atom("ok") || !r[1].is_pid()) throw Exit(tuple(atom("start_supervised_failed"), r));
  co_return r[1].pid();
}

namespace {

enum class FaultKind : uint8_t { crash, kill, exit_signal };

Term injected_reason(uint32_t k) {
  switch (k) {
    case 0: return atom("normal");
    case 1: return atom("shutdown");
    case 2: return tuple(atom("shutdown"), atom("injected"));
    default: return atom("injected");
  }
}

std::string what_threw(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Exit& x) {
    return "exit " + x.reason().to_string();
  } catch (const ExitSignal& x) {
    return "exit signal to itself " + x.reason().to_string();
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace

// Holds one run's state; run_once is its only user.
class RunDriver {
 public:
  RunDriver(const TestDef& test, const RunInput& in)
      : test_(test), cfg_(test.config), in_(in), draws_(in.script ? sim::Draws(*in.script) : sim::Draws(in.seed)) {}

  RunOutcome run() {
    draw_swarm();
    sim::StreamHook hook(draws_, in_.strategy, fault_ppm_);
    sim::World w({.seed = in_.seed,
                  .trace = in_.trace,
                  .fault_per_million = fault_ppm_,
                  .hook = &hook,
                  .record_decisions = false,
                  .timer_delay_max_ms = timer_delay_ms_});
    if (in_.trace_out) w.executor().sim_trace()->stream_to(in_.trace_out);
    SimTest t(w, draws_);
    std::unique_ptr<FailureCapture> capture = test_.capture ? test_.capture() : nullptr;
    if (faults_left_ > 0) injector_ = w.spawn([](Process& self) -> Proc {
      co_await self.receive([](const Message&) { return false; });  // sends injected exit signals
    });
    bool body_done = false, body_returned = false, invariants_off = false;
    t.pid_ = w.spawn([&](Process& self) -> Proc {
      t.self_ = &self;
      co_await test_.body(t);
      body_returned = true;  // invariants hold while the body runs, not while its tree is stopped
      if (t.sup_) {  // ExUnit: start_supervised children stop when the test ends (S23 order)
        Ref mon = self.monitor(t.sup_);
        self.unlink(t.sup_);
        self.exit(t.sup_, reasons::shutdown());
        co_await self.receive(down_of(mon));
      }
      body_done = true;
    });
    RunOutcome out;
    auto stop_now = [&] { return !t.failures_.empty() || (capture && capture->any()); };
    auto after_step = [&] {
      for (auto& check : t.invariants_) {
        if (invariants_off) break;
        try {
          check();
        } catch (...) {
          t.failures_.push_back({"an invariant threw: " + what_threw(std::current_exception()), {}, 0});
        }
      }
      invariants_off = body_returned;  // the step the body returned in was still checked
      if (faults_left_ > 0 && !t.faults_paused_ && --gap_ == 0) inject(w, t);
      return !stop_now();
    };
    sim::RunResult r = w.run({.max_steps = cfg_.max_steps, .until_ms = cfg_.max_time_ms, .after_step = after_step});
    out.steps = r.steps;
    out.now_ms = r.now_ms;
    std::vector<Failure> liveness;
    if (r.stop == sim::StopReason::step_limit || r.stop == sim::StopReason::time_limit) {
      out.verdict = Verdict::no_quiescence;
      liveness.push_back({(r.stop == sim::StopReason::step_limit
                               ? "no quiescence: the world was still busy after " + std::to_string(cfg_.max_steps) + " steps"
                               : "no quiescence: timers were still pending at the virtual-time bound of " +
                                     std::to_string(cfg_.max_time_ms) + " ms") +
                               " (" + (body_done ? "after the body ended" : "the body had not ended") + "); processes:\n" +
                               roles(w, t),
                          {}, 0});
    } else if (r.stop == sim::StopReason::quiescent && !body_done) {
      if (w.alive(t.pid_)) {
        out.verdict = Verdict::deadlock;
        liveness.push_back({"deadlock: nothing can run, nothing is in flight and no timer is pending, but the test body "
                            "has not ended; blocked processes:\n" + roles(w, t), {}, 0});
      } else {
        auto reason = w.exit_reason(t.pid_);
        t.failures_.push_back({"the test process exited with " + (reason ? reason->to_string() : std::string("?")), {}, 0});
      }
    }
    if (r.stop == sim::StopReason::quiescent && body_done && t.failures_.empty() && !(capture && capture->any())) {
      for (auto& check : t.at_end_) {
        try {
          check();
        } catch (...) {
          t.failures_.push_back({"a final check threw: " + what_threw(std::current_exception()), {}, 0});
        }
      }
    }
    if (capture) {
      std::vector<Failure> got = capture->take();
      got.insert(got.end(), t.failures_.begin(), t.failures_.end());
      t.failures_ = std::move(got);
    }
    out.failures = std::move(liveness);
    out.failures.insert(out.failures.end(), t.failures_.begin(), t.failures_.end());
    if (out.verdict == Verdict::passed && !out.failures.empty()) out.verdict = Verdict::failed;
    out.stream = draws_.recorded();
    // The faults that landed, not the ones planned: a planned fault finds no target while only
    // the runner's own processes live (before the body starts anything), and is spent.
    out.case_text = injected_ > 0 ? std::to_string(injected_) + " injected fault(s)" : std::string();
    if (!plan_.empty()) out.case_text += (out.case_text.empty() ? "" : ", ") + plan_;
    for (const auto& n : t.notes_) out.case_text += (out.case_text.empty() ? "" : "; ") + n;
    out.trace_hash = w.trace_hash();
    if (in_.trace) out.trace = w.trace_lines();
    return out;
  }

 private:
  // The swarm: which faults this run injects, drawn first so that shrinking them to zero
  // leaves a run without faults.
  void draw_swarm() {
    const Faults& f = cfg_.faults;
    std::vector<FaultKind> enabled;
    if (f.crash) enabled.push_back(FaultKind::crash);
    if (f.kill) enabled.push_back(FaultKind::kill);
    if (f.exit_signal) enabled.push_back(FaultKind::exit_signal);
    if (!enabled.empty()) {
      faults_left_ = draws_.below(f.max_faults + 1);
      if (faults_left_ > 0) {
        for (FaultKind k : enabled)
          if (draws_.below(2) == 0) kinds_.push_back(k);
        if (kinds_.empty()) kinds_ = enabled;
        gap_ = 1 + draws_.below(f.max_gap_steps);
      }
    }
    if (f.fault_point_per_million > 0) fault_ppm_ = draws_.below(f.fault_point_per_million + 1);
    if (f.max_timer_delay_ms > 0) timer_delay_ms_ = draws_.below(f.max_timer_delay_ms + 1);
    if (fault_ppm_ > 0) plan_ += std::string(plan_.empty() ? "" : ", ") + "fault points at " + std::to_string(fault_ppm_) + " per million";
    if (timer_delay_ms_ > 0) plan_ += std::string(plan_.empty() ? "" : ", ") + "timers up to " + std::to_string(timer_delay_ms_) + " ms late";
  }

  // The blocked report with the runner's own processes named.
  std::string roles(sim::World& w, const SimTest& t) const {
    return w.blocked_report(
        [&](Pid p) -> std::string {
          if (p == t.pid_) return "the test process";
          if (p == t.sup_) return "the test supervisor";
          if (p == injector_) return "the fault injector";
          return "";
        },
        "  ");
  }

  void inject(sim::World& w, SimTest& t) {
    --faults_left_;
    if (faults_left_ > 0) gap_ = 1 + draws_.below(cfg_.faults.max_gap_steps);
    std::vector<Pid> targets;
    for (Pid p : w.node().live_pids())
      if (p != t.pid_ && p != injector_ && p != t.sup_ &&
          std::find(t.protected_.begin(), t.protected_.end(), p) == t.protected_.end())
        targets.push_back(p);
    if (targets.empty()) return;
    Pid target = targets[draws_.below(static_cast<uint32_t>(targets.size()))];
    FaultKind kind = kinds_[draws_.below(static_cast<uint32_t>(kinds_.size()))];
    Term reason;
    ++injected_;
    // The reason first, so the trace says what is injected before what it causes.
    switch (kind) {
      case FaultKind::crash: reason = tuple(atom("injected_crash"), integer(static_cast<int64_t>(injected_))); break;
      case FaultKind::kill: reason = atom("kill"); break;
      case FaultKind::exit_signal: reason = injected_reason(draws_.below(4)); break;
    }
    static constexpr const char* names[] = {"crash", "kill", "exit"};
    if (auto* tr = w.executor().trace())
      tr->emit("inject", {{"pid", Term(target).to_string()}, {"fault", std::string(names[static_cast<int>(kind)])},
                          {"reason", reason.to_string()}});
    if (kind == FaultKind::crash) w.node().kill_process(*w.node().find(target), reason);
    else w.node().find(injector_)->exit(target, reason);
  }

  const TestDef& test_;
  const Config& cfg_;
  const RunInput& in_;
  sim::Draws draws_;
  uint32_t faults_left_ = 0, gap_ = 0, fault_ppm_ = 0, timer_delay_ms_ = 0;
  uint64_t injected_ = 0;
  std::vector<FaultKind> kinds_;
  Pid injector_{};
  std::string plan_;
};

RunOutcome run_once(const TestDef& test, const RunInput& in) { return RunDriver(test, in).run(); }

}  // namespace otp::testing
