#include <otpsim/sim/trace.hpp>

#include <cstdio>

#include <otpsim/core/kernel/utf8.hpp>

namespace otp::sim {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {  // a UTF-8 character as it is; any other byte as \u00XX
      if (size_t n = utf8::sequence_at(s, i)) {
        out.append(s, i, n);
        i += n - 1;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
        out += buf;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void SimTrace::emit(std::string_view event, std::initializer_list<TraceField> fields) {
  Stamp st = clock_();
  std::string line = "{\"t\":" + std::to_string(st.now_ms) + ",\"step\":" + std::to_string(st.step) +
                     ",\"ev\":";
  append_json_string(line, event);
  for (const auto& f : fields) {
    line += ',';
    append_json_string(line, f.key);
    line += ':';
    append_json_string(line, f.value);
  }
  line += '}';
  for (unsigned char c : line) {
    hash_ ^= c;
    hash_ *= 0x100000001b3ULL;
  }
  hash_ ^= '\n';
  hash_ *= 0x100000001b3ULL;
  ++count_;
  if (out_) *out_ << line << '\n';
  if (keep_) lines_.push_back(std::move(line));
}

}  // namespace otp::sim
