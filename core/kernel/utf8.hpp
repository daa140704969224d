#pragma once
// UTF-8 as JSON readers check it. A C++ string may hold any bytes (an exit reason's text, a
// name), but what otpsim writes of it — a term's printed form, a trace line, a page — must be
// valid UTF-8 whatever a program put there, or the readers of those files reject them.
#include <cstddef>
#include <string>
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

inline bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Characters as the BEAM counts an atom's: every byte but a continuation byte starts one.
inline size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += is_continuation(c) ? 0 : 1;
  return n;
}

// The largest n' <= n at which s can be cut without splitting a character.
inline size_t cut_point(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && is_continuation(s[n])) --n;
  return n;
}

// The smallest n' >= n at which s can be cut without splitting a character: where a tail
// kept from n on may start.
inline size_t cut_point_forward(std::string_view s, size_t n) {
  while (n < s.size() && is_continuation(s[n])) ++n;
  return n < s.size() ? n : s.size();
}

// Appends s to out, passing each well-formed multi-byte character through as it is and handing
// each byte below 0x80 to on_ascii(out, c) and each other byte to on_stray(out, b), so every
// writer escapes its own way (a term in octal, JSON as \u00XX) and the result is valid UTF-8.
template <class OnAscii, class OnStray>
void append_escaped(std::string& out, std::string_view s, OnAscii on_ascii, OnStray on_stray) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      on_ascii(out, static_cast<char>(b));
    } else if (size_t n = sequence_at(s, i)) {
      out.append(s, i, n);
      i += n - 1;
    } else {
      on_stray(out, b);
    }
  }
}

}  // namespace otp::utf8
