#pragma once
// The pool's dispatcher (S80) and, for comparison, the guide's original one.
#include <deque>
#include <map>

#include <otpsim/core/components/pool_protocol.hpp>

namespace otp::pool {

class Dispatcher : public GenServer {
 public:
  explicit Dispatcher(Options opts) : opts_(std::move(opts)) {}
  Task<InitResult> init(Process& self) override;
  // Every callback is synchronous (no coroutine frame per job).
  std::optional<Result> try_handle_call(Process& self, Message& request, From from) override;
  std::optional<Result> try_handle_cast(Process& self, Message& request) override;
  std::optional<Result> try_handle_info(Process& self, Message& msg) override;

 private:
  struct Pending {
    Ref job;
    Job fn;
    From caller;
    Pid notify{};      // submitted jobs: the outcome goes here as {task_result, Job, Outcome}
    int attempts = 0;  // runs started so far
  };
  void answer(Process& self, const Pending& job, Term outcome);
  void accept(Process& self, RunReq& run, From from);
  struct Worker {
    int id;
    Ref monitor;
    std::optional<Pending> running;
    bool departed;  // its replacement registered before its DOWN arrived: dead, not counted
  };
  struct Counts {
    int64_t workers = 0, available = 0, busy = 0, pending = 0;
  };
  Counts counts() const;
  void dispatch(Process& self);
  void publish();  // counts to the observer, and the invariants they must satisfy
  Term status() const;

  Options opts_;
  std::map<Pid, Worker> workers_;   // registered and alive (as far as we know)
  std::deque<Pid> available_;       // idle workers, oldest first
  // A flood of jobs waits here: its blocks come from the block cache, which keeps them for the
  // next flood (from glibc, every flood paid its page faults again: 70 % of W5's faults).
  std::deque<Pending, block_cache::Allocator<Pending>> pending_;
};

// The guide's design: worker ids in a queue, no monitors, workers reply to callers.
class GuideDispatcher : public GenServer {
 public:
  explicit GuideDispatcher(Options opts) : opts_(std::move(opts)) {}
  Task<Result> handle_call(Process& self, Message request, From from) override;
  Task<Result> handle_cast(Process& self, Message request) override;

 private:
  void dispatch(Process& self);
  Options opts_;
  std::deque<int> available_;
  std::deque<RunJob> pending_;
};

}  // namespace otp::pool
