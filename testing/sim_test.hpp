#pragma once
// SimTest: what a simulation test's body gets. The body runs as the test process in a fresh
// simulated world, once per run; everything it draws (t.draw) and every scheduling decision
// and injected fault come from one recorded stream, which is the run's replay token.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/draws.hpp>
#include <otpsim/sim/world.hpp>
#include <otpsim/testing/config.hpp>

namespace otp::testing {

class SimTest;
using TestBody = std::function<Task<void>(SimTest&)>;

// A failure with where it was raised (a GoogleTest assertion's file and line), if known.
struct Failure {
  std::string message;
  std::string file;
  int line = 0;
};

// Collects assertion failures raised while one run executes (the GoogleTest integration
// installs one that intercepts EXPECT_* / ASSERT_*).
class FailureCapture {
 public:
  virtual ~FailureCapture() = default;
  virtual bool any() const = 0;  // asked after every step: cheap
  virtual std::vector<Failure> take() = 0;
};
using CaptureFactory = std::function<std::unique_ptr<FailureCapture>()>;

struct TestDef {
  std::string name;  // "Suite.Name"
  TestBody body;
  Config config{};
  std::string file{};
  int line = 0;
  CaptureFactory capture{};  // empty: only t.fail() and crashes fail a run
};

class SimTest {
 public:
  Process& self() { return *self_; }
  Pid pid() const { return pid_; }
  sim::World& world() { return world_; }
  Node& node() { return world_.node(); }
  int64_t now_ms() const { return world_.now_ms(); }

  // Inputs from the run's stream: replayed and shrunk with the schedule (smaller = simpler).
  uint32_t draw(uint32_t n) { return n <= 1 ? 0 : draws_.below(n); }
  bool chance(uint32_t one_in) { return one_in <= 1 || draws_.chance(one_in); }
  sim::Draws& draws() { return draws_; }

  // ExUnit's start_supervised!: the child runs under the test's own supervisor (one_for_one,
  // 1,000,000 restarts a second, as ExUnit's) and is stopped when the body ends. Fails the run
  // (the test process exits) if the child does not start.
  Task<Pid> start_supervised(ChildSpec spec);
  Pid test_supervisor() const { return sup_; }

  // Never a target of injected faults.
  void protect(Pid p) { protected_.push_back(p); }
  // Injected faults (Config::faults) start with the run; pause them while the body sets up
  // what it then protects, so no fault lands before protect() could be called.
  void pause_faults() { faults_paused_ = true; }
  void resume_faults() { faults_paused_ = false; }
  // Checked after every step from now until the body returns; fail with EXPECT_* / ASSERT_*
  // or t.fail().
  void invariant(std::function<void()> check) { invariants_.push_back(std::move(check)); }
  // Checked once the body has ended and the world has gone quiet.
  void at_end(std::function<void()> check) { at_end_.push_back(std::move(check)); }
  // Fails the run (the body goes on; co_return to stop it). Where it was called is what
  // makes two failures the same while shrinking, so the message may carry values.
  // (__builtin_FILE / __builtin_LINE: std::source_location is missing from some clang +
  // libstdc++ pairs.)
  void fail(std::string why, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    failures_.push_back({std::move(why), file, line});
  }
  bool failed() const { return !failures_.empty(); }
  // A line of the case description printed with a failure ("3 jobs, worker 2 crashes").
  void note(std::string what) { notes_.push_back(std::move(what)); }

  SimTest(const SimTest&) = delete;
  SimTest& operator=(const SimTest&) = delete;

 private:
  friend class RunDriver;
  SimTest(sim::World& w, sim::Draws& d) : world_(w), draws_(d) {}
  sim::World& world_;
  sim::Draws& draws_;
  Process* self_ = nullptr;
  Pid pid_{};
  Pid sup_{};
  std::vector<Pid> protected_;
  bool faults_paused_ = false;
  std::vector<std::function<void()>> invariants_;
  std::vector<std::function<void()>> at_end_;
  std::vector<Failure> failures_;
  std::vector<std::string> notes_;
};

}  // namespace otp::testing

namespace otp {
// Also as otp::SimTest: with `using namespace otp;`, a bare `testing::` is ambiguous with
// GoogleTest's namespace.
using testing::SimTest;
}  // namespace otp
