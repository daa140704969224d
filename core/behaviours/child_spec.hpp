#pragma once
// Child specifications (S22) with Elixir's defaults, and supervisor flags.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp {

enum class Restart : uint8_t { permanent, transient, temporary };
enum class ChildType : uint8_t { worker, supervisor };
enum class Strategy : uint8_t { one_for_one, one_for_all, rest_for_one };
enum class AutoShutdown : uint8_t { never, any_significant, all_significant };

struct Shutdown {
  enum class Kind : uint8_t { unset, brutal_kill, timeout, infinity };
  Kind kind = Kind::unset;  // unset: 5000 ms for workers, infinity for supervisors
  int64_t ms = 0;
  static Shutdown brutal_kill() { return {Kind::brutal_kill, 0}; }
  static Shutdown timeout(int64_t ms) { return {Kind::timeout, ms}; }
  static Shutdown infinity() { return {Kind::infinity, 0}; }
};

using StartFn = std::function<Task<StartResult>(Process& sup)>;

// S22 defaults: unset means 5000 ms for a worker, infinity for a supervisor.
Shutdown effective_shutdown(Shutdown s, ChildType type);
// The Modules list of which_children / a spec, and count_children's result.
Term modules_term(const std::vector<std::string>& modules);
Term count_children_term(int64_t specs, int64_t active, int64_t supervisors);

struct ChildSpec {
  Term id{};
  StartFn start{};
  Restart restart = Restart::permanent;
  Shutdown shutdown{};
  ChildType type = ChildType::worker;
  std::vector<std::string> modules{};
  bool significant = false;

  Shutdown effective_shutdown() const { return otp::effective_shutdown(shutdown, type); }
  Term to_term() const;  // [{id,Id},{restart,R},{shutdown,S},{type,T},{modules,M},{significant,B}]
};

struct SupFlags {
  Strategy strategy = Strategy::one_for_one;
  int64_t max_restarts = 3;  // Elixir's defaults: 3 restarts in 5 seconds
  int64_t max_seconds = 5;
  AutoShutdown auto_shutdown = AutoShutdown::never;
};

const char* to_string(Restart r);
const char* to_string(ChildType t);
const char* to_string(Strategy s);
Term to_term(const Shutdown& s);

// nullopt if valid, else OTP's error term naming the field (e.g. {invalid_shutdown,-1}).
std::optional<Term> check_child_spec(const ChildSpec& spec, AutoShutdown auto_shutdown);
// nullopt, or {invalid_shutdown,Ms} for a negative timeout (Supervisor and DynamicSupervisor).
std::optional<Term> check_shutdown(const Shutdown& s);
std::optional<Term> check_flags(const SupFlags& flags);

// A GenServer child: start = gen_server::start_link(sup, factory, opts).
ChildSpec worker_spec(Term id, ServerFactory factory, gen_server::StartOptions opts = {});

}  // namespace otp
