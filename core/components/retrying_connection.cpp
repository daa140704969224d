#include <otpsim/core/components/retrying_connection.hpp>

#include <algorithm>
#include <limits>

namespace otp {

int64_t RetryingConnection::backoff_ms(const RetryOptions& o, int attempt) {
  int64_t ms = o.base_backoff_ms;
  // Doubling stops at the cap, and before it would overflow whatever the cap.
  for (int i = 0; i < attempt && ms < o.max_backoff_ms && ms <= std::numeric_limits<int64_t>::max() / 2; ++i) ms *= 2;
  return std::min(ms, o.max_backoff_ms);
}

Task<InitResult> RetryingConnection::init(Process& self) {
  if (!opts_.connect) throw UsageError("RetryingConnection: RetryOptions::connect is required");
  self.send(self.self(), atom("connect"));  // connect after init returns
  co_return InitResult::ok();
}

Task<Result> RetryingConnection::handle_info(Process& self, Message msg) {
  const Term* t = msg.get<Term>();
  if (!t || !t->is_atom("connect")) co_return Result::noreply();
  Term error = atom("unknown");
  std::optional<Term> conn = co_await opts_.connect(self, &error);
  if (conn) {
    conn_ = std::move(conn);
    retries_ = 0;
    co_return Result::noreply();
  }
  if (retries_ >= opts_.max_retries) co_return Result::stop(tuple(atom("max_retries_exceeded"), error));
  self.send_after(self.self(), atom("connect"), backoff_ms(opts_, retries_));
  ++retries_;
  co_return Result::noreply();
}

Task<Result> RetryingConnection::handle_call(Process&, Message request, From) {
  const Term* t = request.get<Term>();
  if (!t || !t->is_atom("conn")) co_return Result::reply(tuple(atom("error"), atom("badarg")));
  if (!conn_) co_return Result::reply(tuple(atom("error"), atom("not_connected")));
  co_return Result::reply(tuple(atom("ok"), *conn_));
}

}  // namespace otp
