#include <otpsim/core/behaviours/supervisor.hpp>

#include <otpsim/core/behaviours/supervisor_server.hpp>
#include <otpsim/core/kernel/node.hpp>

namespace otp::supervisor {

// ---------------------------------------------------------------- server side of the API (S31)

Task<Result> SupervisorServer::handle_call(Process& self, Message request, From) {
  auto* req = request.get_mut<SupReq>();
  if (!req) co_return Result::reply(tuple(atom("error"), atom("badarg")));
  switch (req->op) {
    case SupReq::Op::start_child: co_return Result::reply(co_await api_start_child(self, std::move(*req->spec)));
    case SupReq::Op::terminate: co_return Result::reply(co_await api_terminate(self, req->id));
    case SupReq::Op::restart: co_return Result::reply(co_await api_restart(self, req->id));
    case SupReq::Op::remove: co_return Result::reply(api_delete(req->id));
    case SupReq::Op::which: co_return Result::reply(which_children());
    case SupReq::Op::count: co_return Result::reply(count_children(self));
    case SupReq::Op::get_spec: {
      auto idx = find_id(req->id);
      co_return Result::reply(idx ? tuple(atom("ok"), children_[*idx].spec.to_term())
                                  : tuple(atom("error"), atom("not_found")));
    }
  }
  co_return Result::noreply();
}

Task<Term> SupervisorServer::api_start_child(Process& self, ChildSpec spec) {
  if (auto e = check_child_spec(spec, flags_.auto_shutdown)) co_return tuple(atom("error"), *e);
  if (auto idx = find_id(spec.id)) {
    const Child& c = children_[*idx];
    co_return c.pid ? tuple(atom("error"), tuple(atom("already_started"), c.pid))
                    : tuple(atom("error"), atom("already_present"));
  }
  Term r = co_await do_start_child(self, spec);
  // Any error of the start, a name another process holds ({already_started,P}) included, is
  // {error,{R,ChildSpec}} (OTP 25, measured); only an id already running is bare (above).
  if (r[0].is_atom("error")) co_return tuple(atom("error"), tuple(r[1], spec.to_term()));
  bool started = r[1].is_pid();
  if (started || spec.restart != Restart::temporary)  // S31: an ignored temporary child is not kept
    children_.push_back(Child{std::move(spec), started ? r[1].pid() : Pid{}, false, started ? 1u : 0u});
  co_return r;
}

Task<Term> SupervisorServer::api_terminate(Process& self, const Term& id) {
  auto idx = find_id(id);
  if (!idx) co_return tuple(atom("error"), atom("not_found"));
  if (children_[*idx].pid) co_await shutdown_child(self, children_[*idx]);
  del_child(*idx);
  co_return atom("ok");
}

Task<Term> SupervisorServer::api_restart(Process& self, const Term& id) {
  auto idx = find_id(id);
  if (!idx) co_return tuple(atom("error"), atom("not_found"));
  if (children_[*idx].restarting) co_return tuple(atom("error"), atom("restarting"));
  if (children_[*idx].pid) co_return tuple(atom("error"), atom("running"));
  Term r = co_await do_start_child(self, children_[*idx].spec);
  if (r[0].is_atom("ok") && r[1].is_pid()) {
    Child& c = children_[*find_id(id)];
    c.pid = r[1].pid();
    ++c.starts;
  }
  co_return r;
}

Term SupervisorServer::api_delete(const Term& id) {
  auto idx = find_id(id);
  if (!idx) return tuple(atom("error"), atom("not_found"));
  if (children_[*idx].restarting) return tuple(atom("error"), atom("restarting"));
  if (children_[*idx].pid) return tuple(atom("error"), atom("running"));
  children_.erase(children_.begin() + static_cast<ptrdiff_t>(*idx));
  return atom("ok");
}

Term SupervisorServer::which_children() const {
  std::vector<Term> out;
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) {  // newest first, as OTP 25
    Term pid = it->pid ? Term(it->pid) : atom(it->restarting ? "restarting" : "undefined");
    out.push_back(tuple(it->spec.id, pid, atom(to_string(it->spec.type)), modules_term(it->spec.modules)));
  }
  return Term::list(std::move(out));
}

Term SupervisorServer::format_state(Process&) {
  std::vector<Term> kids;
  for (const auto& c : children_) {
    Term pid = c.pid ? Term(c.pid) : atom(c.restarting ? "restarting" : "undefined");
    kids.push_back(tuple(c.spec.id, pid, atom(to_string(c.spec.type)), Term::integer(static_cast<int64_t>(c.starts > 0 ? c.starts - 1 : 0))));
  }
  return tuple(atom("supervisor"), atom(to_string(flags_.strategy)), Term::list(std::move(kids)),
               tuple(Term::integer(flags_.max_restarts), Term::integer(flags_.max_seconds)));
}

// S31: `active` counts the children that are alive (OTP's count_child asks is_process_alive):
// one that died, its EXIT not taken yet, is not active though which_children still lists it.
Term SupervisorServer::count_children(Process& self) const {
  int64_t active = 0, sups = 0;
  for (const auto& c : children_) {
    if (c.pid && self.node().alive(c.pid)) ++active;
    if (c.spec.type == ChildType::supervisor) ++sups;
  }
  return count_children_term(static_cast<int64_t>(children_.size()), active, sups);
}

// ---------------------------------------------------------------- client side

Task<StartResult> start_link(Process& self, SupFlags flags, std::vector<ChildSpec> children,
                             gen_server::StartOptions opts) {
  // A tree talks within itself: its root may start on another core (rt); a supervisor that a
  // supervisor starts belongs to that tree and starts beside it.
  opts.apart = self.find_local<SupervisorMark>() == nullptr;
  co_return co_await gen_server::start_link(
      self, [flags, children] { return std::make_unique<SupervisorServer>(flags, children); }, opts);
}

Task<StartResult> start_link(Process& self, SupFlags flags, std::vector<ChildSpec> children) {
  gen_server::StartOptions none;
  co_return co_await start_link(self, flags, std::move(children), none);
}

ChildSpec supervisor_spec(Term id, SupFlags flags, std::vector<ChildSpec> children) {
  ChildSpec spec;
  spec.id = std::move(id);
  spec.type = ChildType::supervisor;
  // Shared, not copied: a spec is copied wherever it goes (the parent's child list, each
  // restart), and a copied closure would copy the whole subtree under it — quadratic in depth.
  auto shared = std::make_shared<const std::vector<ChildSpec>>(std::move(children));
  spec.start = [flags, shared](Process& sup) { return start_link(sup, flags, *shared); };
  return spec;
}

namespace {
Task<Term> ask(Process& self, ServerRef sup, SupReq req) {
  Message m = co_await gen_server::call(self, std::move(sup), std::move(req), infinity);
  co_return *m.get<Term>();
}
}  // namespace

Task<Term> start_child(Process& self, ServerRef sup, ChildSpec spec) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::start_child, {}, std::move(spec)});
}
Task<Term> terminate_child(Process& self, ServerRef sup, Term id) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::terminate, std::move(id), {}});
}
Task<Term> restart_child(Process& self, ServerRef sup, Term id) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::restart, std::move(id), {}});
}
Task<Term> delete_child(Process& self, ServerRef sup, Term id) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::remove, std::move(id), {}});
}
Task<Term> which_children(Process& self, ServerRef sup) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::which, {}, {}});
}
Task<Term> count_children(Process& self, ServerRef sup) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::count, {}, {}});
}
Task<Term> get_childspec(Process& self, ServerRef sup, Term id) {
  co_return co_await ask(self, std::move(sup), SupReq{SupReq::Op::get_spec, std::move(id), {}});
}

}  // namespace otp::supervisor
