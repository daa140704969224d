#pragma once
// The supervisor's state and restart logic, as a GenServer. The restart path reads top to
// bottom like OTP's: exit seen -> restart type decides -> intensity check -> strategy.
#include <vector>

#include <otpsim/core/behaviours/child_spec.hpp>
#include <otpsim/core/behaviours/restart_window.hpp>

namespace otp::supervisor {

struct SupReq {
  enum class Op : uint8_t { start_child, terminate, restart, remove, which, count, get_spec } op;
  Term id{};
  std::optional<ChildSpec> spec{};
  Term to_term() const;
};

// Kept in a supervisor's process (Process::local): a supervisor it starts belongs to its tree.
struct SupervisorMark {};

class SupervisorServer : public GenServer {
 public:
  SupervisorServer(SupFlags flags, std::vector<ChildSpec> specs)
      : flags_(flags), initial_(std::move(specs)), restarts_(flags.max_seconds) {}

  Task<InitResult> init(Process& self) override;
  Task<Result> handle_call(Process& self, Message request, From from) override;
  Task<Result> handle_cast(Process& self, Message request) override;
  Task<Result> handle_info(Process& self, Message msg) override;
  Task<void> terminate(Process& self, Term reason) override;
  // {supervisor, Strategy, [{Id, Pid|undefined|restarting, worker|supervisor, Restarts}], {MaxR, MaxT}},
  // children in start order.
  Term format_state(Process& self) override;

 private:
  struct Child {
    ChildSpec spec;
    Pid pid{};               // Pid{} = undefined
    bool restarting = false;  // a restart failed; retried through our mailbox (S29)
    uint64_t starts = 0;      // successful starts (restarts = starts - 1), for sys::get_state
  };
  enum class Outcome : uint8_t { ok, shutdown };

  // exit seen -> restart type decides (S24)
  Task<Outcome> on_child_exit(Process& self, size_t index, Term reason);
  // intensity check (S28) -> strategy (S25-S27)
  Task<Outcome> restart(Process& self, Term id);
  bool add_restart(Process& self);
  Task<std::optional<Term>> restart_one_for_one(Process& self, size_t index);
  Task<std::optional<Term>> restart_from(Process& self, size_t first, size_t exited);
  Task<std::optional<Term>> start_range(Process& self, size_t first);
  // S23
  Task<void> terminate_range(Process& self, size_t first);
  Task<void> shutdown_child(Process& self, Child& c);
  Task<Term> do_start_child(Process& self, const ChildSpec& spec);  // {ok,P}|{ok,P,I}|{ok,undefined}|{error,R}
  void del_child(size_t index);
  Outcome auto_shutdown(const ChildSpec& exited) const;

  Task<Term> api_start_child(Process& self, ChildSpec spec);
  Task<Term> api_terminate(Process& self, const Term& id);
  Task<Term> api_restart(Process& self, const Term& id);
  Term api_delete(const Term& id);
  Term which_children() const;
  Term count_children(Process& self) const;

  std::optional<size_t> find_id(const Term& id) const;
  std::optional<size_t> find_pid(Pid pid) const;
  void report(Process& self, const char* what, const Child& c, const Term& reason);

  SupFlags flags_;
  std::vector<ChildSpec> initial_;
  std::vector<Child> children_;  // in start order
  RestartWindow restarts_;
};

}  // namespace otp::supervisor
