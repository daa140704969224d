#pragma once
// The simulator's trace: one JSON object per line and a stable 64-bit hash (FNV-1a) of the
// lines, so two runs compare by hash (S91) and a failing one can be read line by line.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <otpsim/core/kernel/trace_sink.hpp>

namespace otp::sim {

class SimTrace : public TraceSink {
 public:
  // `clock` gives (virtual ms, step) for each event.
  struct Stamp {
    int64_t now_ms;
    uint64_t step;
  };
  explicit SimTrace(std::function<Stamp()> clock) : clock_(std::move(clock)) {}

  void emit(std::string_view event, std::initializer_list<TraceField> fields) override;

  uint64_t hash() const { return hash_; }
  size_t count() const { return count_; }
  void keep_lines(bool on) { keep_ = on; }
  const std::vector<std::string>& lines() const { return lines_; }
  void stream_to(std::ostream* out) { out_ = out; }

 private:
  std::function<Stamp()> clock_;
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  size_t count_ = 0;
  bool keep_ = true;
  std::vector<std::string> lines_;
  std::ostream* out_ = nullptr;
};

void append_json_string(std::string& out, std::string_view s);

}  // namespace otp::sim
