#pragma once
// GenServer (S10-S12): a behaviour written on the kernel. Subclass GenServer, override the
// callbacks you need (each a Task, so a callback may itself call other servers), start it
// with gen_server::start_link(self, factory).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <otpsim/core/kernel/process.hpp>
#include <otpsim/core/behaviours/start_result.hpp>

namespace otp {

struct From {
  Pid pid{};
  Ref ref{};
};

// How a server is named: a locally registered name or {via, Registry, {Reg, Key}}.
struct Name {
  std::string local{};
  std::string via_registry{};  // registered name of a Registry process
  Term key{};
  bool empty() const { return local.empty() && via_registry.empty(); }
  Term to_term() const;
};

// Where a call or cast goes: a pid or a Name.
struct ServerRef {
  ServerRef(Pid p) : pid(p) {}                       // NOLINT implicit
  ServerRef(const char* n) : name{.local = n} {}     // NOLINT implicit
  ServerRef(std::string n) : name{.local = std::move(n)} {}  // NOLINT implicit
  ServerRef(Name n) : name(std::move(n)) {}          // NOLINT implicit
  Pid pid{};
  Name name{};
  Term to_term() const { return pid ? Term(pid) : name.to_term(); }
};

struct InitResult {
  enum class Kind : uint8_t { ok, ignore, stop };
  Kind kind = Kind::ok;
  Timeout timeout = infinity;
  std::optional<Message> continue_with{};
  Term reason{};

  static InitResult ok() { return {}; }
  static InitResult ok_timeout(Timeout t) { return {Kind::ok, t, std::nullopt, {}}; }
  static InitResult ok_continue(Message c) { return {Kind::ok, infinity, std::move(c), {}}; }
  static InitResult ignore() { return {Kind::ignore, infinity, std::nullopt, {}}; }
  static InitResult stop(Term r) { return {Kind::stop, infinity, std::nullopt, std::move(r)}; }
};

// The return of handle_call / handle_cast / handle_info / handle_continue.
struct Result {
  enum class Kind : uint8_t { reply, noreply, stop };
  Kind kind = Kind::noreply;
  std::optional<Message> reply_value{};
  Term reason{};
  Timeout timeout = infinity;
  std::optional<Message> continue_with{};

  static Result reply(Message v) { return {Kind::reply, std::move(v), {}, infinity, std::nullopt}; }
  static Result noreply() { return {}; }
  static Result stop(Term r) { return {Kind::stop, std::nullopt, std::move(r), infinity, std::nullopt}; }
  static Result stop(Term r, Message reply) {
    return {Kind::stop, std::move(reply), std::move(r), infinity, std::nullopt};
  }
  // {reply, V, S, Timeout} / {noreply, S, Timeout}: handle_info(timeout) if nothing arrives.
  Result after(Timeout t) && {
    timeout = t;
    return std::move(*this);
  }
  // {noreply, S, {continue, C}}: handle_continue(C) runs before any message.
  Result then(Message c) && {
    continue_with = std::move(c);
    return std::move(*this);
  }
};

// A try_handle_* answer of noreply, made inside the optional (no Result moved into it): the
// pool's dispatcher answers so twice per job.
inline std::optional<Result> noreply_now() { return std::optional<Result>(std::in_place); }

class GenServer {
 public:
  virtual ~GenServer() = default;
  virtual Task<InitResult> init(Process& self);
  virtual Task<Result> handle_call(Process& self, Message request, From from);
  virtual Task<Result> handle_cast(Process& self, Message request);
  virtual Task<Result> handle_info(Process& self, Message msg);
  virtual Task<Result> handle_continue(Process& self, Message cont);
  virtual Task<void> terminate(Process& self, Term reason);
  // The state sys::get_state reports (OTP's sys:get_state/format_status): a C++ server's state
  // is its members, so the server says what to show. The default: the atom undefined.
  virtual Term format_state(Process& self);

  // Fast path for a callback that never suspends (no co_await): the loop offers each request
  // or message here first. Return a Result to have handled it, as the Task version would have,
  // with no coroutine frame; or std::nullopt, leaving the message untouched, to have it go to
  // handle_call / handle_cast / handle_info. A throw crashes the server as there (S12).
  // The defaults decline everything.
  virtual std::optional<Result> try_handle_call(Process& self, Message& request, From from);
  virtual std::optional<Result> try_handle_cast(Process& self, Message& request);
  virtual std::optional<Result> try_handle_info(Process& self, Message& msg);
};

using ServerFactory = std::function<std::unique_ptr<GenServer>()>;

// Messages of the gen_server protocol.
namespace gen_server {

struct StartOptions {
  Name name{};
  Timeout timeout = infinity;  // how long start waits for init
  bool apart = false;          // the server heads a group of its own (SpawnOptions; supervisor::start_link sets it)
};

// S10: {ok,Pid} | ignore | {error,R}. start_link links the server to the caller.
// Options are taken by value: a Task may be awaited after the caller's temporaries are gone
// (a child spec's start function returns it). No class-type default arguments either: g++ 12
// miscompiles them in co_await expressions. Overloads instead.
Task<StartResult> start_link(Process& self, ServerFactory factory, StartOptions opts);
Task<StartResult> start_link(Process& self, ServerFactory factory);
Task<StartResult> start(Process& self, ServerFactory factory, StartOptions opts);
Task<StartResult> start(Process& self, ServerFactory factory);

// S11: the reply, or the caller exits with {Reason, {'Elixir.GenServer', call, [S, Req, T]}}.
Task<Message> call(Process& self, ServerRef server, Message request, Timeout timeout = 5000);
void cast(Process& self, ServerRef server, Message request);
// The same cast of a typed request to a pid, built in its envelope where it is made: no
// type-erased Message to re-wrap, no ServerRef (a pool sends three of these per job).
template <class T, class D = std::decay_t<T>>
  requires(!std::is_same_v<D, Message> && envelope_of<D>::value == Envelope::none)
void cast(Process& self, Pid to, T&& request) {
  // A cast never fails (GenServer.cast to nobody is :ok): no pid is dropped, not badarg.
  if (to) self.send(to, Message(Enveloped<Envelope::cast, D>{std::forward<T>(request)}));
}
void reply(Process& self, const From& to, Message value);
// Stops the server with `reason` (terminate runs). The caller exits with {Why, {'Elixir.GenServer',
// stop, [Server, Reason, Timeout]}} when Why is noproc (no such server), calling_self, timeout,
// or the other reason the server exited with (a terminate that raised).
Task<void> stop(Process& self, ServerRef server, Term reason, Timeout timeout = infinity);
Task<void> stop(Process& self, ServerRef server);

// Resolve a ServerRef to a live pid (Pid{} if none).
Task<Pid> whereis(Process& self, const ServerRef& server);

}  // namespace gen_server

// sys (OTP's sys module) on any GenServer or supervisor, on either executor: system messages the
// server loop answers between callbacks. A dead server, or a process that is not a GenServer
// (it never answers), makes the caller exit with {noproc | timeout, {sys, Function, [Server]}},
// as in OTP.
namespace sys {

// What format_state returns (a supervisor: its children with their restart counts).
Task<Term> get_state(Process& self, ServerRef server, Timeout timeout = 5000);
// While on, the server reports every message it takes and every reply it sends, as OTP's
// sys:trace prints them ("<0.4.0> got call {get,x} from <0.1.0>"): a "sys" event to the trace
// sink, and `report` (called on the server's own thread, between its callbacks) when given.
using TraceReport = std::function<void(const std::string&)>;
Task<void> trace(Process& self, ServerRef server, bool on, TraceReport report = {}, Timeout timeout = 5000);

}  // namespace sys
}  // namespace otp
