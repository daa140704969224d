#pragma once
// Supervisor (S20-S32): OTP's supervisor with one_for_one / one_for_all / rest_for_one.
// API results are OTP's terms ({ok,Pid}, {error,not_found}, ...), printed as Erlang does.
#include <vector>

#include <otpsim/core/behaviours/child_spec.hpp>

namespace otp::supervisor {

// S20: {ok,Pid} | {error,{shutdown,{failed_to_start_child,Id,R}}} | {error,{start_spec,E}}.
Task<StartResult> start_link(Process& self, SupFlags flags, std::vector<ChildSpec> children,
                             gen_server::StartOptions opts);
Task<StartResult> start_link(Process& self, SupFlags flags, std::vector<ChildSpec> children);

// A child spec for a nested supervisor (type supervisor, shutdown infinity).
ChildSpec supervisor_spec(Term id, SupFlags flags, std::vector<ChildSpec> children);

// S31
Task<Term> start_child(Process& self, ServerRef sup, ChildSpec spec);
Task<Term> terminate_child(Process& self, ServerRef sup, Term id);
Task<Term> restart_child(Process& self, ServerRef sup, Term id);
Task<Term> delete_child(Process& self, ServerRef sup, Term id);
// [{Id, Pid | undefined | restarting, worker | supervisor, Modules}], newest child first.
Task<Term> which_children(Process& self, ServerRef sup);
// [{specs,N},{active,N},{supervisors,N},{workers,N}]; active: the children alive (S31).
Task<Term> count_children(Process& self, ServerRef sup);
// {ok, Spec} | {error, not_found}
Task<Term> get_childspec(Process& self, ServerRef sup, Term id);

}  // namespace otp::supervisor
