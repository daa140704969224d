// gen-server-call (S11): a client calls one server after another with random timeouts while
// the server replies at once, replies later from handle_info, never replies, stops with or
// without a reply, or crashes. Each call must end as the model says (the reply, or the caller
// exits with {R, {GenServer, call, [Server, Req, Timeout]}}: timeout, the server's exit
// reason, or noproc once it is gone), and no late reply or stray DOWN may ever reach the
// client's mailbox.
#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {
namespace {

enum class Kind : uint8_t { reply, reply_later, never, stop_with_reply, stop, crash, start_new };
const char* kind_name(Kind k) {
  static constexpr const char* n[] = {"reply", "reply_later", "never", "stop_with_reply", "stop", "crash", "start_new"};
  return n[static_cast<int>(k)];
}

struct Call {
  Kind kind;
  int64_t delay_ms;    // reply_later
  int64_t timeout_ms;  // never equal to delay_ms: no tie between the reply and the timeout
  Term reason;         // stop, stop_with_reply
};

struct Case {
  std::vector<Call> calls;
  uint64_t seed = 1;
};

Case draw(sim::Draws& d) {
  Case c;
  size_t n = 1 + d.below(8);
  for (size_t i = 0; i < n; ++i) {
    Call k{static_cast<Kind>(d.below(7)), 1 + static_cast<int64_t>(d.below(50)), static_cast<int64_t>(d.below(60)), {}};
    if (k.timeout_ms == k.delay_ms) ++k.timeout_ms;
    static const Term reasons[] = {atom("normal"), atom("shutdown"), tuple(atom("shutdown"), atom("x")), atom("boom")};
    k.reason = reasons[d.below(4)];
    c.calls.push_back(std::move(k));
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const Case& c) {
  std::string s = "seed " + std::to_string(c.seed) + ":";
  for (const auto& k : c.calls)
    s += std::string(" ") + kind_name(k.kind) + "(delay " + std::to_string(k.delay_ms) + ", timeout " +
         std::to_string(k.timeout_ms) + ", " + k.reason.to_string() + ")";
  return s;
}

struct Later {
  From from;
  Term value;
  Term to_term() const { return tuple(atom("later"), value); }
};

class Server : public GenServer {
  Task<Result> handle_call(Process& self, Message req, From from) override {
    const Term& t = *req.get<Term>();  // {Kind, N, Delay, Reason}
    Term value = integer(t[1].integer_value());
    switch (static_cast<Kind>(t[0].integer_value())) {
      case Kind::reply: co_return Result::reply(value);
      case Kind::reply_later: self.send_after(self.self(), Later{from, value}, t[2].integer_value()); co_return Result::noreply();
      case Kind::never: co_return Result::noreply();
      case Kind::stop_with_reply: co_return Result::stop(t[3], value);
      case Kind::stop: co_return Result::stop(t[3]);
      case Kind::crash: throw std::runtime_error("boom");
      case Kind::start_new: break;
    }
    co_return Result::noreply();
  }
  Task<Result> handle_info(Process& self, Message m) override {
    if (const auto* l = m.get<Later>()) gen_server::reply(self, l->from, l->value);
    co_return Result::noreply();
  }
};

Term call_exit(Term reason, Pid server, const Term& req, int64_t timeout) {
  return tuple(std::move(reason), tuple(atom("Elixir.GenServer"), atom("call"), list(server, req, integer(timeout))));
}

std::optional<std::string> check(const Case& c) {
  sim::World w({.seed = c.seed});
  std::vector<std::string> seen, want;
  w.spawn([&](Process& self) -> Proc {
    auto start = [&]() -> Task<Pid> {
      co_return (co_await gen_server::start(self, [] { return std::make_unique<Server>(); })).pid;
    };
    Pid server = co_await start();
    bool alive = true;  // the model's view of the server
    for (size_t i = 0; i < c.calls.size(); ++i) {
      const Call& k = c.calls[i];
      if (k.kind == Kind::start_new) {
        if (!alive) server = co_await start();
        alive = true;
        continue;
      }
      Term req = tuple(integer(static_cast<int64_t>(k.kind)), integer(static_cast<int64_t>(i)), integer(k.delay_ms), k.reason);
      Term value = integer(static_cast<int64_t>(i));
      // The model (S11). A call with timeout 0 gives up before anything can answer, even the
      // DOWN of a dead server (measured on OTP 25: gen_server:call(Dead, x, 0) exits timeout),
      // but the server still handles the request.
      Term expect;
      bool zero = k.timeout_ms == 0;
      if (!alive) expect = call_exit(atom(zero ? "timeout" : "noproc"), server, req, k.timeout_ms);
      else if (zero) {
        expect = call_exit(atom("timeout"), server, req, 0);
        alive = k.kind != Kind::stop_with_reply && k.kind != Kind::stop && k.kind != Kind::crash;
      } else switch (k.kind) {
        case Kind::reply: expect = value; break;
        case Kind::reply_later: expect = k.delay_ms < k.timeout_ms ? value : call_exit(atom("timeout"), server, req, k.timeout_ms); break;
        case Kind::never: expect = call_exit(atom("timeout"), server, req, k.timeout_ms); break;
        case Kind::stop_with_reply: expect = value; alive = false; break;
        case Kind::stop: expect = call_exit(k.reason, server, req, k.timeout_ms); alive = false; break;
        case Kind::crash: expect = call_exit(tuple(atom("error"), str("boom")), server, req, k.timeout_ms); alive = false; break;
        case Kind::start_new: break;
      }
      want.push_back(std::to_string(i) + ": " + expect.to_string());
      Term got;
      try {
        got = *(co_await gen_server::call(self, server, req, k.timeout_ms)).get<Term>();
      } catch (const Exit& e) {
        got = e.reason();
      }
      seen.push_back(std::to_string(i) + ": " + got.to_string());
      co_await self.sleep(60);  // every late reply has been sent by now
      if (auto stray = co_await self.receive_any(0))
        seen.push_back("stray message in the caller: " + stray->to_term().to_string());
    }
    if (alive) {  // a DOWN of a finished call must not arrive when the server goes now
      co_await gen_server::stop(self, server);
      co_await self.sleep(1);
      if (auto stray = co_await self.receive_any(0))
        seen.push_back("stray message in the caller: " + stray->to_term().to_string());
    }
  });
  auto r = w.run({.max_steps = 200'000});
  if (r.stop != sim::StopReason::quiescent) return "the world did not settle";
  return differs_from_model("calls ended", seen, want);
}

}  // namespace

SuiteOutcome gen_server_call_suite(sim::Draws& d) {
  Case c = draw(d);
  return {check(c), describe(c)};
}

}  // namespace otp::properties
