#pragma once
// Task and Task.Supervisor (S50). A task runs `fn` and sends its result to its owner; the
// owner monitors it, so await/yield see either the result or the task's exit reason.
#include <functional>
#include <optional>
#include <vector>

#include <otpsim/core/behaviours/dynamic_supervisor.hpp>

namespace otp {

using TaskFn = std::function<Task<Term>(Process&)>;

struct TaskRef {
  Pid pid{};
  Ref ref{};
  Pid owner{};
  Term to_term() const { return tuple(atom("Elixir.Task"), pid, ref); }
};

namespace task {
// Linked to the caller and monitored by it.
TaskRef async(Process& self, TaskFn fn);
// The result, or the caller exits: {timeout,{'Elixir.Task',await,[Task,T]}} after T ms, or
// {Reason,{'Elixir.Task',await,[Task,T]}} if the task died (a linked task usually takes the
// caller down first).
Task<Term> await(Process& self, TaskRef t, Timeout timeout = 5000);
// {ok,R} | {exit,Reason} | nil (still running after T)
Task<Term> yield(Process& self, TaskRef t, Timeout timeout = 5000);
// Stops the task (exit signal shutdown; killed if still alive after `timeout`, infinity waits):
// {ok,R} if it had replied, nil if it stopped with reason shutdown, {exit,R} otherwise — a task
// killed after the timeout gives {exit,killed}, as Elixir's Task.shutdown/2 does.
Task<Term> shutdown(Process& self, TaskRef t, Timeout timeout = 5000);
// Task.shutdown(task, :brutal_kill): killed at once; nil if the kill stopped it.
struct BrutalKill {};
inline constexpr BrutalKill brutal_kill{};
Task<Term> shutdown(Process& self, TaskRef t, BrutalKill);
// Results in order; one overall deadline for all of them.
Task<std::vector<Term>> await_many(Process& self, std::vector<TaskRef> tasks, Timeout timeout = 5000);
// Task.yield_many: waits until every task has replied or exited, or `timeout` has passed (one
// deadline for all); then, in the tasks' order, {ok,R} | {exit,Reason} | nil (still running,
// left running and monitored, as yield leaves it). Elixir returns {Task, Result} pairs; here
// result i is tasks[i]'s (the TaskRefs were moved in).
Task<std::vector<Term>> yield_many(Process& self, std::vector<TaskRef> tasks, Timeout timeout = 5000);
}  // namespace task

namespace task_supervisor {
Task<StartResult> start_link(Process& self, gen_server::StartOptions name);
Task<StartResult> start_link(Process& self);
// A fire-and-forget task under the supervisor: temporary by default (transient allowed).
Task<Term> start_child(Process& self, ServerRef sup, TaskFn fn, Restart restart = Restart::temporary);
Task<TaskRef> async(Process& self, ServerRef sup, TaskFn fn);         // linked to the caller
Task<TaskRef> async_nolink(Process& self, ServerRef sup, TaskFn fn);  // not linked
}  // namespace task_supervisor

}  // namespace otp
