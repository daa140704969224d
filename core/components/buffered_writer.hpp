#pragma once
// The guide's graceful shutdown as a reusable GenServer: it traps exits, buffers writes
// (casts), flushes the buffer every flush_every_ms, and flushes what is left in terminate —
// so a supervisor shutdown within the child's shutdown timeout loses nothing, while
// brutal_kill (or a timeout shorter than the final flush) loses the unflushed tail (S12, S23).
#include <functional>
#include <vector>

#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp {

struct BufferedWriterOptions {
  // Writes one batch somewhere durable; may take virtual time.
  std::function<Task<void>(Process& self, std::vector<Term> batch)> sink{};
  int64_t flush_every_ms = 1000;
};

class BufferedWriter : public GenServer {
 public:
  explicit BufferedWriter(BufferedWriterOptions o) : o_(std::move(o)) {}
  Task<InitResult> init(Process& self) override;
  Task<Result> handle_cast(Process& self, Message request) override;  // {write, X}
  Task<Result> handle_info(Process& self, Message msg) override;      // flush tick
  Task<void> terminate(Process& self, Term reason) override;           // final flush

 private:
  Task<void> flush(Process& self);
  BufferedWriterOptions o_;
  std::vector<Term> buffer_;
};

}  // namespace otp
