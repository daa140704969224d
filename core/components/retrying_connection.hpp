#pragma once
// The guide's "initialization with retries" as a reusable GenServer: init returns at once (so
// the supervisor is not blocked), the connection is made from handle_info with send_after
// backoff (base * 2^attempt, capped), and after max_retries failures the server stops with
// {max_retries_exceeded, LastError}, leaving the decision to its supervisor (S28, S29).
#include <functional>
#include <optional>

#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp {

struct RetryOptions {
  // One attempt: the connection on success, nullopt + *error on failure.
  std::function<Task<std::optional<Term>>(Process& self, Term* error)> connect{};
  int max_retries = 5;
  int64_t base_backoff_ms = 100;
  int64_t max_backoff_ms = 5000;
};

class RetryingConnection : public GenServer {
 public:
  explicit RetryingConnection(RetryOptions opts) : opts_(std::move(opts)) {}
  Task<InitResult> init(Process& self) override;
  Task<Result> handle_info(Process& self, Message msg) override;
  // call(conn) -> {ok, Conn} | {error, not_connected}
  Task<Result> handle_call(Process& self, Message request, From from) override;

  static int64_t backoff_ms(const RetryOptions& o, int attempt);

 private:
  RetryOptions opts_;
  std::optional<Term> conn_;
  int retries_ = 0;
};

}  // namespace otp
