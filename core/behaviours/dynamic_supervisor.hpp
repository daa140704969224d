#pragma once
// DynamicSupervisor (S40): children only through start_child, one_for_one, max_children,
// extra_arguments prepended to every child's arguments (a restart reuses them).
#include <coroutine>
#include <memory>
#include <optional>
#include <vector>

#include <otpsim/core/behaviours/child_spec.hpp>

namespace otp::dynamic_supervisor {

using DynStartFn = std::function<Task<StartResult>(Process& sup, std::vector<Term> args)>;

struct ChildSpec {
  DynStartFn start{};
  std::vector<Term> args{};
  Restart restart = Restart::permanent;
  Shutdown shutdown{};
  ChildType type = ChildType::worker;
  std::vector<std::string> modules{};
};

struct Options {
  int64_t max_restarts = 3;
  int64_t max_seconds = 5;
  std::optional<int64_t> max_children{};  // nullopt = infinity
  std::vector<Term> extra_arguments{};
};

Task<StartResult> start_link(Process& self, Options opts, gen_server::StartOptions name);
Task<StartResult> start_link(Process& self, Options opts);

// {ok,Pid} | {ok,Pid,Info} | ignore | {error,max_children} | {error,R}
Task<Term> start_child(Process& self, ServerRef sup, ChildSpec spec);
Task<Term> terminate_child(Process& self, ServerRef sup, Pid child);  // ok | {error,not_found}
Task<Term> which_children(Process& self, ServerRef sup);             // [{undefined,Pid|restarting,Type,Mods}]
Task<Term> count_children(Process& self, ServerRef sup);

namespace detail {
// start_child's call for a library that makes a spec for every child it starts (Task.Supervisor:
// one a task): the spec made once, where the supervisor keeps it, and the call awaited in place,
// with no coroutine frame between the caller and gen_server::call. The spec must be one that
// start_child accepts (start set, shutdown valid): it is not checked again.
class StartChildCall {
 public:
  explicit StartChildCall(Task<Message> call) : call_(std::move(call)) {}
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept { return call_.await_suspend(awaiting); }
  Term await_resume();  // as start_child's

 private:
  Task<Message> call_;
};
StartChildCall start_child_call(Process& self, ServerRef sup, std::shared_ptr<const ChildSpec> spec);
}  // namespace detail

}  // namespace otp::dynamic_supervisor
