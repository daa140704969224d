#pragma once
// Messages between pool callers, the dispatcher and the workers.
#include <otpsim/core/components/pool.hpp>

namespace otp::pool {

// {error, {dispatcher_down, Why}}: the outcome of every job a dead dispatcher held.
inline Term dispatcher_down(Term why) { return tuple(atom("error"), tuple(atom("dispatcher_down"), std::move(why))); }

struct RunReq {  // call: a job to run; the reply is the outcome
  Ref job;
  Job fn;
  Pid notify{};  // submit (a cast): send {task_result, Job, Outcome} here instead of replying
  Term to_term() const { return tuple(atom("run"), job); }
};
struct TaskResult {  // to a submit()'s caller: {task_result, Job, Outcome}, awaited by ref
  Ref job;
  Term outcome;
  Term to_term() const { return tuple(atom("task_result"), job, outcome); }
};
struct CancelReq {  // cast: the caller stopped waiting (timeout)
  Ref job;
  Term to_term() const { return tuple(atom("cancel"), job); }
};
struct StatusReq {
  Term to_term() const { return atom("status"); }
};
struct RegisterWorker {  // cast from a worker's init
  int id;
  Pid pid;
  Term to_term() const { return tuple(atom("register"), integer(id), pid); }
};
struct JobDone {  // cast from a worker when a job returned
  Pid worker;
  Ref job;
  Term value;
  Term to_term() const { return tuple(atom("done"), worker, job, value); }
};
struct RunJob {  // cast to a worker
  Ref job;
  Job fn;
  From caller{};  // guide mode: the worker replies to the caller itself
  Term to_term() const { return tuple(atom("run_job"), job); }
};
struct WorkerAvailable {  // guide mode: cast from a worker after a job
  int id;
  Term to_term() const { return tuple(atom("available"), integer(id)); }
};

}  // namespace otp::pool

namespace otp {
// Sent on every job: moved between mailboxes as bytes when their std::function allows it.
template <>
struct is_relocatable<pool::RunReq> : is_relocatable<pool::Job> {};
template <>
struct is_relocatable<pool::RunJob> : is_relocatable<pool::Job> {};
template <>
struct is_relocatable<pool::JobDone> : std::true_type {};
template <>
struct is_relocatable<pool::TaskResult> : std::true_type {};
}  // namespace otp
