#pragma once
// Structured trace events (FoundationDB's TraceEvent): stable names, stable keys.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace otp {

struct TraceField {
  std::string_view key;
  std::string value;  // already printed (a Term's Erlang text, a number)
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void emit(std::string_view event, std::initializer_list<TraceField> fields) = 0;
};

}  // namespace otp
