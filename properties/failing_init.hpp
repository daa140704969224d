#pragma once
// A GenServer whose init fails one of OTP's three ways: {stop, no} (0), ignore (1) or a crash
// with reason `crashed` (2). What a failed init leaves behind (its name, its via key, messages
// to the starter) is checked on both executors.
#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/core/kernel/errors.hpp>

namespace otp::properties {

class FailingInit : public GenServer {
 public:
  explicit FailingInit(int how) : how_(how) {}
  Task<InitResult> init(Process&) override {
    if (how_ == 0) co_return InitResult::stop(atom("no"));
    if (how_ == 1) co_return InitResult::ignore();
    throw Exit(atom("crashed"));
  }

 private:
  int how_;
};

}  // namespace otp::properties
