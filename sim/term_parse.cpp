#include <otpsim/sim/term_parse.hpp>

#include <cctype>
#include <limits>

#include <otpsim/core/kernel/utf8.hpp>
#include <otpsim/sim/limits.hpp>

namespace otp::sim {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Term parse_all() {
    if (s_.size() > limits::kTermBytes)
      throw TermParseError("the term is " + std::to_string(s_.size()) + " bytes long; the limit is " +
                               std::to_string(limits::kTermBytes),
                           1);
    Term t = value();
    skip();
    if (i_ != s_.size()) fail("unexpected '" + std::string(1, s_[i_]) + "' after the term");
    return t;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw TermParseError(what, i_ + 1); }
  [[noreturn]] void fail_at(size_t at, const std::string& what) const { throw TermParseError(what, at + 1); }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  Term value() {
    skip();
    if (i_ >= s_.size()) fail("expected a term, found the end of the text");
    char c = s_[i_];
    if (c == '{' || c == '[') return sequence(c);
    if (c == '\'') {
      size_t start = i_;
      std::string text = quoted('\'');
      return Term::atom(atom_text(start, text));
    }
    if (c == '"') return Term::string(quoted('"'));
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number();
    if (std::islower(static_cast<unsigned char>(c))) return bare_atom();
    fail("expected a term (atom, integer, \"string\", {tuple} or [list])");
  }

  Term sequence(char open) {
    // Depth-limited: the parser recurses once per level (and so do Term's destructor and
    // printer), so a reason nested 100 000 deep must be an error, not a stack overflow.
    if (depth_ >= limits::kTermDepth)
      fail("{tuples} and [lists] nested deeper than " + std::to_string(limits::kTermDepth) + " levels (the limit)");
    ++depth_;
    char close = open == '{' ? '}' : ']';
    ++i_;
    std::vector<Term> items;
    if (!eat(close)) {
      do items.push_back(value());
      while (eat(','));
      if (!eat(close)) fail(std::string("expected ',' or '") + close + "'");
    }
    --depth_;
    return open == '{' ? Term::tuple(std::move(items)) : Term::list(std::move(items));
  }

  // A quoted atom or string with Erlang's escapes: \b \d \e \f \n \r \s \t \v, \NNN (octal),
  // \xHH, \x{H...} (a code point, written as UTF-8), \^c (control-c); any other \c is c.
  // Term printing writes \n and \t, so what is printed parses back (found by fuzzing: '\t'
  // read as the atom t).
  std::string quoted(char q) {
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] != '\\') {
        out += s_[i_++];
        continue;
      }
      size_t at = i_++;
      if (i_ >= s_.size()) break;
      char c = s_[i_++];
      switch (c) {
        case 'b': out += '\b'; break;
        case 'd': out += '\x7f'; break;
        case 'e': out += '\x1b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 's': out += ' '; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '^':
          if (i_ >= s_.size()) fail_at(at, "'\\^' needs a character after it");
          out += static_cast<char>(s_[i_++] & 0x1f);
          break;
        case 'x': out += hex_escape(at); break;
        default:
          if (c >= '0' && c <= '7') {
            unsigned v = static_cast<unsigned>(c - '0');
            for (int k = 0; k < 2 && i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '7'; ++k)
              v = v * 8 + static_cast<unsigned>(s_[i_++] - '0');
            if (v > 0xff) fail_at(at, "octal escape above \\377");
            out += static_cast<char>(v);
          } else {
            out += c;
          }
      }
    }
    if (i_ >= s_.size()) fail(std::string("unterminated ") + q);
    ++i_;
    return out;
  }

  std::string hex_escape(size_t at) {
    auto hex = [](char h) -> int {
      if (h >= '0' && h <= '9') return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    uint32_t cp = 0;
    if (i_ < s_.size() && s_[i_] == '{') {
      ++i_;
      size_t digits = 0;
      while (i_ < s_.size() && hex(s_[i_]) >= 0) {
        if (++digits > 6) fail_at(at, "\\x{...} has more than 6 hex digits");
        cp = cp * 16 + static_cast<uint32_t>(hex(s_[i_++]));
      }
      if (digits == 0 || i_ >= s_.size() || s_[i_] != '}') fail_at(at, "expected \\x{HEX}");
      ++i_;
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail_at(at, "\\x{...} is not a Unicode code point");
    } else {
      for (int k = 0; k < 2; ++k) {
        if (i_ >= s_.size() || hex(s_[i_]) < 0) fail_at(at, "expected \\xHH (two hex digits) or \\x{HEX}");
        cp = cp * 16 + static_cast<uint32_t>(hex(s_[i_++]));
      }
    }
    std::string out;  // UTF-8
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
    return out;
  }

  // Erlang's atoms are at most 255 characters (system limit); so are ours.
  std::string_view atom_text(size_t start, std::string_view text) const {
    const size_t chars = utf8::code_points(text);
    if (chars > limits::kAtomChars)
      fail_at(start, "atom of " + std::to_string(chars) + " characters; the limit is " +
                         std::to_string(limits::kAtomChars) + " (as in Erlang)");
    return text;
  }

  Term number() {
    size_t start = i_;
    bool negative = s_[i_] == '-';
    if (negative) ++i_;
    if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) fail("expected digits");
    // Accumulated as a negative number, so INT64_MIN is representable; no std::stoll (it
    // throws std::out_of_range, which escaped as an abort).
    int64_t v = 0;
    constexpr int64_t lo = std::numeric_limits<int64_t>::min();
    bool overflow = false;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      int d = s_[i_++] - '0';
      if (v < (lo + d) / 10) overflow = true;
      if (!overflow) v = v * 10 - d;
    }
    if (!overflow && !negative && v == lo) overflow = true;
    if (overflow)
      fail_at(start, "integer " + std::string(s_.substr(start, i_ - start)) +
                         " out of range (a 64-bit signed integer: -9223372036854775808..9223372036854775807)");
    return Term::integer(negative ? v : -v);
  }

  Term bare_atom() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '@'))
      ++i_;
    return Term::atom(atom_text(start, s_.substr(start, i_ - start)));
  }

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Term parse_term(std::string_view text) { return Parser(text).parse_all(); }

}  // namespace otp::sim
