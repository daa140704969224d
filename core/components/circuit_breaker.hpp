#pragma once
// The guide's circuit breaker as a reusable GenServer. closed: calls run; `threshold`
// consecutive failures open it. open: calls fail fast with {error, circuit_open}; after
// reset_timeout_ms (virtual time in the simulator) it turns half_open. half_open: one call runs;
// success closes it, failure opens it again. A failure is a call returning anything but an
// {ok, ...} tuple ({error, _} included) or throwing; the protected function runs inside the
// breaker, as in the guide.
#include <functional>

#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp::circuit_breaker {

using Fn = std::function<Task<Term>(Process& breaker)>;  // {ok, V} | {error, R}

struct Options {
  int threshold = 5;
  int64_t reset_timeout_ms = 30'000;
};

enum class State : uint8_t { closed, open, half_open };
const char* to_string(State s);

ServerFactory factory(Options opts);
// {ok, V} | {error, R} | {error, circuit_open}
Task<Term> call(Process& self, ServerRef breaker, Fn fn);
Task<State> state(Process& self, ServerRef breaker);


}  // namespace otp::circuit_breaker
