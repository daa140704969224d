#include <otpsim/core/components/circuit_breaker.hpp>

namespace otp::circuit_breaker {

const char* to_string(State s) {
  switch (s) {
    case State::closed: return "closed";
    case State::open: return "open";
    case State::half_open: return "half_open";
  }
  return "?";
}

namespace {

struct CallReq {
  Fn fn;
  Term to_term() const { return atom("call"); }
};
struct StateReq {
  Term to_term() const { return atom("state"); }
};

class Breaker : public GenServer {
 public:
  explicit Breaker(Options o) : o_(o) {}
  Task<Result> handle_call(Process& self, Message request, From) override {
    if (request.get<StateReq>()) co_return Result::reply(atom(to_string(state_)));
    auto* req = request.get_mut<CallReq>();
    if (!req) co_return Result::reply(tuple(atom("error"), atom("badarg")));
    if (state_ == State::open) co_return Result::reply(tuple(atom("error"), atom("circuit_open")));
    Term r;
    bool failed = false;
    try {
      r = co_await req->fn(self);
      failed = !(r.is_tuple() && r.size() >= 1 && r[0].is_atom("ok"));
    } catch (const Exit&) {
      throw;  // exit/1 inside the function ends the breaker, as it would in Elixir
    } catch (const std::exception& e) {
      r = tuple(atom("error"), str(e.what()));
      failed = true;
    }
    if (!failed) {
      failures_ = 0;
      state_ = State::closed;
    } else if (state_ == State::half_open || ++failures_ >= o_.threshold) {
      state_ = State::open;
      failures_ = 0;
      self.send_after(self.self(), atom("half_open"), o_.reset_timeout_ms);
    }
    co_return Result::reply(r);
  }
  Task<Result> handle_info(Process&, Message msg) override {
    if (const Term* t = msg.get<Term>(); t && t->is_atom("half_open") && state_ == State::open) state_ = State::half_open;
    co_return Result::noreply();
  }

 private:
  Options o_;
  State state_ = State::closed;
  int failures_ = 0;
};

}  // namespace

ServerFactory factory(Options opts) {
  if (opts.threshold < 1) throw UsageError("circuit breaker: threshold must be >= 1, got " + std::to_string(opts.threshold));
  if (opts.reset_timeout_ms < 0) throw UsageError("circuit breaker: reset_timeout_ms must be >= 0");
  return [opts] { return std::make_unique<Breaker>(opts); };
}

Task<Term> call(Process& self, ServerRef breaker, Fn fn) {
  Message m = co_await gen_server::call(self, std::move(breaker), CallReq{std::move(fn)}, infinity);
  co_return *m.get<Term>();
}

Task<State> state(Process& self, ServerRef breaker) {
  Message m = co_await gen_server::call(self, std::move(breaker), StateReq{}, 5000);
  const Term& t = *m.get<Term>();
  co_return t.is_atom("open") ? State::open : t.is_atom("half_open") ? State::half_open : State::closed;
}

}  // namespace otp::circuit_breaker
