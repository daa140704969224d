#include <otpsim/sim/term_parse.hpp>

#include <cctype>

namespace otp::sim {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Term parse_all() {
    Term t = value();
    skip();
    if (i_ != s_.size()) fail("unexpected '" + std::string(1, s_[i_]) + "' after the term");
    return t;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw TermParseError(what, i_ + 1); }
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
    if (c == '\'') return Term::atom(quoted('\''));
    if (c == '"') return Term::string(quoted('"'));
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number();
    if (std::islower(static_cast<unsigned char>(c))) return bare_atom();
    fail("expected a term (atom, integer, \"string\", {tuple} or [list])");
  }

  Term sequence(char open) {
    char close = open == '{' ? '}' : ']';
    ++i_;
    std::vector<Term> items;
    if (!eat(close)) {
      do items.push_back(value());
      while (eat(','));
      if (!eat(close)) fail(std::string("expected ',' or '") + close + "'");
    }
    return open == '{' ? Term::tuple(std::move(items)) : Term::list(std::move(items));
  }

  std::string quoted(char q) {
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    if (i_ >= s_.size()) fail(std::string("unterminated ") + q);
    ++i_;
    return out;
  }

  Term number() {
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) fail("expected digits");
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    return Term::integer(std::stoll(std::string(s_.substr(start, i_ - start))));
  }

  Term bare_atom() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '@'))
      ++i_;
    return Term::atom(s_.substr(start, i_ - start));
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Term parse_term(std::string_view text) { return Parser(text).parse_all(); }

}  // namespace otp::sim
