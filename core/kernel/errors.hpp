#pragma once
// How a process leaves early: Exit carries an exact exit reason (exit/1, a failed call).
// Any other exception escaping a process is a crash with reason {error, What}.
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include <otpsim/core/kernel/term.hpp>

namespace otp {

class Exit : public std::exception {
 public:
  explicit Exit(Term reason) : reason_(std::move(reason)), text_(reason_.to_string()) {}
  const Term& reason() const { return reason_; }
  const char* what() const noexcept override { return text_.c_str(); }

 private:
  Term reason_;
  std::string text_;
};

// An exit signal a process sent itself that ends it (S2: `exit(self(), kill)`, or any reason
// while it does not trap exits): the process ends at once with `reason`, as on the BEAM, where
// no catch takes it and a GenServer's terminate does not run. Neither an Exit nor a
// std::exception, so `catch (const Exit&)` and `catch (const std::exception&)` let it pass; code
// that catches everything (`catch (...)`) must rethrow it (`rethrow_if_exit_signal`).
class ExitSignal {
 public:
  explicit ExitSignal(Term reason) : reason_(std::move(reason)) {}
  const Term& reason() const { return reason_; }

 private:
  Term reason_;
};

// Rethrows `e` if it is an ExitSignal (for a `catch (...)` that turns failures into results).
void rethrow_if_exit_signal(std::exception_ptr e);

// The exit reason an exception stands for: Exit's and ExitSignal's own reason, {error, What}
// for any other std::exception, {error, unknown} for anything else.
Term exit_reason_of(std::exception_ptr e);

// Misuse of the API from C++ (an invalid timeout, a call outside a process): a clear error.
class UsageError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A caller's timeout: >= 0 ms or otp::infinity (-1); anything else throws a UsageError naming
// `what` ("receive", "GenServer.stop", ...) and the value. Inline: receive checks every time.
[[noreturn]] void bad_timeout(std::string_view what, int64_t timeout);
inline int64_t checked_timeout(int64_t timeout, std::string_view what) {
  if (timeout < 0 && timeout != -1) [[unlikely]]  // -1: otp::infinity
    bad_timeout(what, timeout);
  return timeout;
}

}  // namespace otp
