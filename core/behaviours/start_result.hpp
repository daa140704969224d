#pragma once
// What starting a process returns: {ok,Pid} | {ok,Pid,Info} | ignore | {error,Reason}.
#include <optional>

#include <otpsim/core/kernel/term.hpp>

namespace otp {

struct StartResult {
  enum class Kind : uint8_t { ok, ignore, error };
  Kind kind = Kind::ignore;
  Pid pid{};
  Term reason{};
  std::optional<Term> info{};

  static StartResult ok(Pid p) { return {Kind::ok, p, {}, std::nullopt}; }
  static StartResult ok(Pid p, Term info) { return {Kind::ok, p, {}, std::move(info)}; }
  static StartResult ignore() { return {Kind::ignore, {}, {}, std::nullopt}; }
  static StartResult error(Term r) { return {Kind::error, {}, std::move(r), std::nullopt}; }

  bool is_ok() const { return kind == Kind::ok; }
  Term to_term() const {
    switch (kind) {
      case Kind::ok: return info ? tuple(atom("ok"), pid, *info) : tuple(atom("ok"), pid);
      case Kind::ignore: return atom("ignore");
      case Kind::error: return tuple(atom("error"), reason);
    }
    return atom("undefined");
  }
};

// A start function's result as OTP's supervisors take it: {ok, Pid} must carry a pid, so
// {ok, undefined} (StartResult::ok(Pid{})) is {error, {ok, undefined}} (supervisor.erl's
// do_start_child: `What -> {error, What}`).
inline StartResult checked_start(StartResult r) {
  if (r.kind != StartResult::Kind::ok || r.pid) return r;
  return StartResult::error(r.info ? tuple(atom("ok"), atom("undefined"), *r.info) : tuple(atom("ok"), atom("undefined")));
}

}  // namespace otp
