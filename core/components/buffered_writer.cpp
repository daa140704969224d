#include <otpsim/core/components/buffered_writer.hpp>

namespace otp {

Task<InitResult> BufferedWriter::init(Process& self) {
  if (!o_.sink) throw UsageError("BufferedWriter: BufferedWriterOptions::sink is required");
  self.trap_exit(true);  // so the supervisor's shutdown runs terminate
  self.send_after(self.self(), atom("flush"), o_.flush_every_ms);
  co_return InitResult::ok();
}

Task<Result> BufferedWriter::handle_cast(Process&, Message request) {
  if (const Term* t = request.get<Term>(); t && t->is_tuple(2) && (*t)[0].is_atom("write")) buffer_.push_back((*t)[1]);
  co_return Result::noreply();
}

Task<Result> BufferedWriter::handle_info(Process& self, Message msg) {
  if (const Term* t = msg.get<Term>(); t && t->is_atom("flush")) {
    co_await flush(self);
    self.send_after(self.self(), atom("flush"), o_.flush_every_ms);
  }
  co_return Result::noreply();
}

Task<void> BufferedWriter::terminate(Process& self, Term) { co_await flush(self); }

Task<void> BufferedWriter::flush(Process& self) {
  if (buffer_.empty()) co_return;
  std::vector<Term> batch;
  batch.swap(buffer_);
  co_await o_.sink(self, std::move(batch));
}

}  // namespace otp
