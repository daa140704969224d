#include <otpsim/core/kernel/errors.hpp>

namespace otp {

Term exit_reason_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Exit& x) {
    return x.reason();
  } catch (const ExitSignal& x) {
    return x.reason();
  } catch (const std::exception& x) {
    return tuple(atom("error"), str(x.what()));
  } catch (...) {
    return tuple(atom("error"), atom("unknown"));
  }
}

void rethrow_if_exit_signal(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const ExitSignal&) {
    throw;
  } catch (...) {
  }
}

void bad_timeout(std::string_view what, int64_t timeout) {
  throw UsageError(std::string(what) + ": timeout must be >= 0 ms or otp::infinity, got " + std::to_string(timeout));
}

}  // namespace otp
