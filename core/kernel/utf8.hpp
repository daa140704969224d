#pragma once
// UTF-8 as JSON readers check it. A C++ string may hold any bytes (an exit reason's text, a
// name), but what otpsim writes of it — a term's printed form, a trace line, a page — must be
// valid UTF-8 whatever a program put there, or the readers of those files reject them.
#include <cstddef>
#include <string_view>

namespace otp::utf8 {

// The length (2..4) of the well-formed multi-byte sequence starting at s[i], or 0 when s[i]
// (a byte >= 0x80) starts none: a lone continuation byte, an overlong form, a surrogate, a code
// point past U+10FFFF, or a sequence cut short.
inline size_t sequence_at(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto cont = [](unsigned b, unsigned lo = 0x80, unsigned hi = 0xBF) { return b >= lo && b <= hi; };
  const unsigned b = at(0);
  if (b >= 0xC2 && b <= 0xDF) return cont(at(1)) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    const unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;  // no overlong, no surrogate
    return cont(at(1), lo, hi) && cont(at(2)) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;  // no overlong, <= U+10FFFF
    return cont(at(1), lo, hi) && cont(at(2)) && cont(at(3)) ? 4 : 0;
  }
  return 0;
}

// The largest n' <= n at which s can be cut without splitting a character.
inline size_t cut_point(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace otp::utf8
