#pragma once
// What the guide's programs share: a root process on a simulated world with a fixed seed (so
// pids and virtual times are the same on every run, S91), lines stamped with virtual time, and
// the guide's Counter.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/sim/world.hpp>

namespace guide {

using namespace otp;

// One line of output, stamped with the virtual time it happened at.
inline void say(Process& self, const std::string& line) {
  std::printf("[%5lld ms] %s\n", static_cast<long long>(self.now_ms()), line.c_str());
}
inline std::string show(const Term& t) { return t.to_string(); }
inline std::string show(Pid p) { return Term(p).to_string(); }

// Runs `body` as the root process of a fresh simulated world until the world is quiet.
// The root traps exits, so a supervisor it starts and that gives up reaches it as an EXIT
// message instead of killing it. When the body returns the root exits `normal`, and the
// supervisors it started with start_link stop with it (S12: a GenServer cannot ignore its
// parent's exit). Returns 0 if the body ran to its end.
// GUIDE_SEED=n in the environment picks another seed: another of the interleavings OTP allows.
// GUIDE_TRACE=1 writes the simulator's trace (one JSON line per event) to stderr.
inline int run(std::function<Task<void>(Process&)> body) {
  const char* seed = std::getenv("GUIDE_SEED");
  bool trace = std::getenv("GUIDE_TRACE") != nullptr;
  sim::World world({.seed = seed ? std::strtoull(seed, nullptr, 10) : 1, .trace = trace});
  if (trace) world.executor().sim_trace()->stream_to(&std::cerr);
  bool finished = false;
  world.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    co_await body(self);
    finished = true;
  });
  sim::RunResult r = world.run({.max_steps = 1'000'000});
  if (!finished || r.stop != sim::StopReason::quiescent) {
    std::fprintf(stderr, "the program did not finish (%s); blocked:\n%s", sim::to_string(r.stop),
                 world.blocked_report().c_str());
    return 1;
  }
  return 0;
}

// The guide's Counter: call `get` / `increment`, cast `crash` makes it raise.
class Counter : public GenServer {
 public:
  explicit Counter(int64_t initial = 0) : n_(initial) {}
  Task<Result> handle_call(Process&, Message req, From) override {
    const Term& t = *req.get<Term>();
    if (t.is_atom("increment")) ++n_;
    co_return Result::reply(integer(n_));
  }
  Task<Result> handle_cast(Process&, Message) override { throw std::runtime_error("boom"); }
  Term format_state(Process&) override { return tuple(atom("count"), integer(n_)); }  // what sys::get_state shows

 private:
  int64_t n_;
};

// Counter.get(name) / Counter.increment(name)
inline Task<int64_t> counter_call(Process& self, ServerRef server, const char* what) {
  co_return (co_await gen_server::call(self, server, atom(what))).get<Term>()->integer_value();
}

}  // namespace guide
