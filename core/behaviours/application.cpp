#include <otpsim/core/behaviours/application.hpp>

#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/node.hpp>

namespace otp::application {
namespace {

// The application master owns the top supervisor (registered "application:<name>").
struct StopReq {
  Term to_term() const { return atom("stop"); }
};
struct GetSupervisorReq {
  Term to_term() const { return atom("get_supervisor"); }
};

class Master : public GenServer {
 public:
  explicit Master(Spec spec) : spec_(std::move(spec)) {}

  Task<InitResult> init(Process& self) override {
    self.trap_exit(true);
    StartResult r;
    try {
      r = co_await spec_.start(self);
    } catch (...) {  // OTP: {bad_return, {{App, start, Args}, {'EXIT', R}}}
      rethrow_if_exit_signal(std::current_exception());
      co_return InitResult::stop(tuple(atom("bad_return"), tuple(atom("EXIT"), exit_reason_of(std::current_exception()))));
    }
    if (r.kind == StartResult::Kind::error) co_return InitResult::stop(r.reason);
    if (r.kind == StartResult::Kind::ignore) co_return InitResult::stop(tuple(atom("bad_return"), atom("ignore")));
    top_ = r.pid;
    co_return InitResult::ok();
  }

  // get_supervisor, or stop: the tree is gone before the caller hears ok, as with application:stop.
  Task<Result> handle_call(Process& self, Message m, From) override {
    if (m.get<GetSupervisorReq>()) co_return Result::reply(top_ ? tuple(atom("ok"), top_) : atom("undefined"));
    co_await stop_tree(self);
    co_return Result::stop(atom("normal"), atom("ok"));
  }

  Task<Result> handle_info(Process&, Message msg) override {
    const auto* e = msg.get<ExitMsg>();
    if (e && e->from == top_) co_return Result::stop(e->reason);  // the tree is gone: so is the app
    co_return Result::noreply();
  }

  Task<void> terminate(Process& self, Term) override { co_await stop_tree(self); }

 private:
  // S70: stop terminates the tree and waits for it (shutdown infinity).
  Task<void> stop_tree(Process& self) {
    if (!top_ || !self.node().alive(top_)) co_return;
    Ref mon = self.monitor(top_);
    self.exit(top_, reasons::shutdown());
    co_await self.receive(down_of(mon));
    top_ = Pid{};
  }

  Spec spec_;
  Pid top_{};
};

std::string master_name(const std::string& app) { return "application:" + app; }

}  // namespace

Task<Term> start(Process& self, Spec spec, std::map<std::string, Term> overrides) {
  if (spec.name.empty() || !spec.start) throw UsageError("application::start: a Spec needs a name and a start function");
  if (self.whereis(master_name(spec.name))) co_return tuple(atom("error"), tuple(atom("already_started"), atom(spec.name)));
  // Loaded once, at the first start, as OTP loads an application: its defaults replace what
  // put_env set before (measured on OTP 25), and a later start keeps what put_env set since (the
  // env stays loaded after stop); the overrides given to this start go on top.
  if (self.node().load_app(spec.name))
    for (const auto& [k, v] : spec.env) put_env(self, spec.name, k, v);
  for (const auto& [k, v] : overrides) put_env(self, spec.name, k, v);
  std::string name = spec.name;
  gen_server::StartOptions opts{.name = {.local = master_name(name)}};
  StartResult r = co_await gen_server::start(self, [spec = std::move(spec)] { return std::make_unique<Master>(spec); }, opts);
  // As application:start reports it (measured on OTP 25): {error, {R, {App, start, [normal, []]}}}
  // for a start that returned {error, R}; {error, {bad_return, {{App, start, [normal, []]}, X}}}
  // for one that returned ignore or raised.
  if (r.kind == StartResult::Kind::error) {
    Term mfa = tuple(atom(name), atom("start"), list(atom("normal"), Term::list({})));
    if (r.reason.is_tuple(2) && r.reason[0].is_atom("bad_return"))
      co_return tuple(atom("error"), tuple(atom("bad_return"), tuple(mfa, r.reason[1])));
    co_return tuple(atom("error"), tuple(r.reason, mfa));
  }
  self.node().exchange_app_started(name, true);
  co_return r.to_term();
}

Task<Term> start(Process& self, Spec spec) { co_return co_await start(self, std::move(spec), {}); }

// As application_controller: an application whose tree died (its master gone) is still started
// until stopped, so its first stop answers ok, a second {error, {not_started, App}}.
// It returns once the master is gone, as application:stop returns once the application is (a
// start right after it is never refused; measured on OTP 25), and a master that ends on its own
// meanwhile (its tree just died) is as good as stopped (application_master:call takes its DOWN
// for an answer).
Task<Term> stop(Process& self, const std::string& app) {
  if (Pid master = self.whereis(master_name(app))) {
    Ref mon = self.monitor(master);
    try {
      co_await gen_server::call(self, master, StopReq{}, infinity);
    } catch (const Exit&) {  // it ended before it answered
    }
    co_await self.receive(down_of(mon));
  }
  if (!self.node().exchange_app_started(app, false)) co_return tuple(atom("error"), tuple(atom("not_started"), atom(app)));
  co_return atom("ok");
}

// A master that ends as it is asked (its tree just died) has no supervisor: undefined, not an
// exit of the caller (application:get_supervisor asks the controller, which always answers).
Task<Term> get_supervisor(Process& self, const std::string& app) {
  Pid master = self.whereis(master_name(app));
  if (!master) co_return atom("undefined");
  try {
    co_return (co_await gen_server::call(self, master, GetSupervisorReq{}, infinity)).to_term();
  } catch (const Exit&) {
    co_return atom("undefined");
  }
}

Term fetch_env(Process& self, const std::string& app, const std::string& key) {
  std::optional<Term> v = self.node().env_get(app, key);
  return v ? tuple(atom("ok"), *v) : atom("error");
}

Term get_env(Process& self, const std::string& app, const std::string& key, Term fallback) {
  Term r = fetch_env(self, app, key);
  return r.is_tuple(2) ? r[1] : fallback;
}

void put_env(Process& self, const std::string& app, const std::string& key, Term value) {
  self.node().env_put(app, key, std::move(value));
}

}  // namespace otp::application
