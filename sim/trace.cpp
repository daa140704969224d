#include <otpsim/sim/trace.hpp>

#include <cstdio>

#include <otpsim/core/kernel/utf8.hpp>

namespace otp::sim {

void append_json_string(std::string& out, std::string_view s) {
  auto u00 = [](std::string& o, unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", b);
    o += buf;
  };
  out += '"';
  utf8::append_escaped(
      out, s,
      [&](std::string& o, char c) {
        switch (c) {
          case '"': o += "\\\""; break;
          case '\\': o += "\\\\"; break;
          case '\n': o += "\\n"; break;
          case '\t': o += "\\t"; break;
          default:
            if (static_cast<unsigned char>(c) < 0x20)
              u00(o, static_cast<unsigned char>(c));
            else
              o += c;
        }
      },
      u00);  // a byte no character holds: as a code point below 256, which keeps the line valid
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
