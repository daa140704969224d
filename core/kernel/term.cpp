#include <otpsim/core/kernel/term.hpp>

#include <algorithm>
#include <array>
#include <ostream>
#include <stdexcept>

#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/utf8.hpp>
#include <otpsim/core/memory/block_cache.hpp>

namespace otp {

void Term::throw_wrong_kind(const char* wanted) const {
  throw std::invalid_argument(to_string() + " is not " + wanted);
}

void Term::throw_out_of_range(size_t i) const {
  throw std::out_of_range("element " + std::to_string(i) + " of " + to_string() + ": no such element");
}


Term::Box* Term::Box::make(size_t n, size_t elem) {
  void* raw = block_cache::allocate(sizeof(Box) + n * elem);
  Box* b = new (raw) Box;
  b->size = static_cast<uint32_t>(n);
  return b;
}

unsigned Term::nested_depth(const Term* items, size_t n) {
  unsigned deepest = 0;
  for (size_t i = 0; i < n; ++i) deepest = std::max(deepest, items[i].depth());
  if (deepest + 1 > kMaxDepth)
    throw Exit(otp::tuple(otp::atom("system_limit"),
                     otp::str("a tuple or list nested deeper than " + std::to_string(kMaxDepth) + " levels (Term::kMaxDepth)")));
  return deepest + 1;
}

Term::Box* Term::boxed_text(std::string_view text, Kind k) {
  if (k == Kind::atom && text.size() > kMaxAtom) {  // characters, as the BEAM counts them (UTF-8)
    const size_t chars = utf8::code_points(text);
    if (chars > kMaxAtom)
      throw Exit(otp::tuple(otp::atom("system_limit"), otp::str("an atom of " + std::to_string(chars) +
                                                                " characters (Term::kMaxAtom: 255, as on the BEAM)")));
  }
  if (text.size() > kMaxText)
    throw Exit(otp::tuple(otp::atom("system_limit"), otp::str("an atom or string of " + std::to_string(text.size()) +
                                               " bytes (Term::kMaxText: 4 GiB - 1)")));
  Box* b = Box::make(text.size(), 1);
  std::memcpy(b->chars(), text.data(), text.size());
  return b;
}

Term::Term(Kind k, std::vector<Term> items) : kind_(k) {
  const unsigned d = nested_depth(items.data(), items.size());  // before anything is allocated
  Box* b = Box::make(items.size(), sizeof(Term));
  Term* out = b->terms();
  for (auto& t : items) new (out++) Term(std::move(t));
  set_box(b);
  set_depth(d);
}

Term Term::with_element(size_t i, Term v) && {
  Box* b = box();
  if (kind_ != Kind::tuple || !b || i >= b->size) throw std::out_of_range("with_element: no element " + std::to_string(i));
  if (unshared(b)) {
    if (v.depth() + 1 > kMaxDepth) nested_depth(&v, 1);  // throws, the tuple untouched
    b->terms()[i] = std::move(v);
    set_depth(nested_depth(b->terms(), b->size));  // the replaced element may have been the deepest
    return std::move(*this);
  }
  std::vector<Term> items(b->terms(), b->terms() + b->size);
  items[i] = std::move(v);
  return Term(Kind::tuple, std::move(items));
}

void Term::destroy(Box* b, Kind k) noexcept {
  const bool holds_terms = k == Kind::tuple || k == Kind::list;  // else characters
  if (holds_terms)
    for (uint32_t i = 0; i < b->size; ++i) b->terms()[i].~Term();
  const size_t bytes = sizeof(Box) + b->size * (holds_terms ? sizeof(Term) : 1);  // as given to make
  b->~Box();
  block_cache::deallocate(b, bytes);
}

namespace {

bool atom_needs_quotes(std::string_view a) {
  static constexpr std::array<std::string_view, 26> reserved = {
      "after", "and",  "andalso", "band", "begin", "bnot",  "bor",   "bsl", "bsr",
      "bxor",  "case", "catch",   "cond", "div",   "end",   "fun",   "if",  "let",
      "not",   "of",   "or",      "orelse", "receive", "rem", "try", "when"};
  if (a.empty() || a[0] < 'a' || a[0] > 'z') return true;
  for (char c : a) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '@';
    if (!ok) return true;
  }
  for (auto r : reserved)
    if (a == r) return true;
  return false;
}

// Octal, as io_lib writes a byte it does not print as itself: \NNN.
void print_octal(std::string& out, unsigned char u) {
  out += '\\';
  out += static_cast<char>('0' + (u >> 6));
  out += static_cast<char>('0' + ((u >> 3) & 7));
  out += static_cast<char>('0' + (u & 7));
}

void print_escaped(std::string& out, std::string_view s, char quote) {
  out += quote;
  utf8::append_escaped(
      out, s,
      [quote](std::string& o, char c) {
        if (c == quote || c == '\\') {
          o += '\\';
          o += c;
        } else if (static_cast<unsigned char>(c) < 32 || c == 127) {
          // As io_lib writes them (measured on OTP 25: 'a\000b\001\n\t\r\e\d\b\f\v').
          switch (c) {
            case '\n': o += "\\n"; break;
            case '\t': o += "\\t"; break;
            case '\r': o += "\\r"; break;
            case 27: o += "\\e"; break;
            case 127: o += "\\d"; break;
            case '\b': o += "\\b"; break;
            case '\f': o += "\\f"; break;
            case '\v': o += "\\v"; break;
            default: print_octal(o, static_cast<unsigned char>(c));
          }
        } else {
          o += c;
        }
      },
      [](std::string& o, unsigned char b) { print_octal(o, b); });  // a byte no character holds
  out += quote;
}

}  // namespace

void Term::print(std::string& out) const {
  switch (kind_) {
    case Kind::atom:
      if (atom_needs_quotes(text()))
        print_escaped(out, text(), '\'');
      else
        out += text();
      return;
    case Kind::integer:
      out += std::to_string(num());
      return;
    case Kind::string:
      print_escaped(out, text(), '"');
      return;
    case Kind::pid:
      out += "<0." + std::to_string(pid_index(pid())) + "." + std::to_string(pid_serial(pid())) + ">";
      return;
    case Kind::ref:
      out += "#Ref<0.0.0." + std::to_string(num()) + ">";
      return;
    case Kind::tuple:
    case Kind::list: {
      out += kind_ == Kind::tuple ? '{' : '[';
      bool first = true;
      for (const auto& t : items()) {
        if (!first) out += ',';
        first = false;
        t.print(out);
      }
      out += kind_ == Kind::tuple ? '}' : ']';
      return;
    }
  }
}

std::string Term::to_string() const {
  std::string out;
  print(out);
  return out;
}

int Term::compare(const Term& a, const Term& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_ ? -1 : 1;
  switch (a.kind_) {
    case Kind::integer:
    case Kind::pid:
    case Kind::ref:
      return a.num() < b.num() ? -1 : (a.num() > b.num() ? 1 : 0);
    case Kind::atom:
    case Kind::string: {
      int c = a.text().compare(b.text());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::tuple:
    case Kind::list: {
      auto x = a.items();
      auto y = b.items();
      // Erlang orders tuples by size first, lists lexicographically.
      if (a.kind_ == Kind::tuple && x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
      for (size_t i = 0; i < x.size() && i < y.size(); ++i)
        if (int c = compare(x[i], y[i])) return c;
      return x.size() == y.size() ? 0 : (x.size() < y.size() ? -1 : 1);
    }
  }
  return 0;
}

bool is_normal_exit(const Term& reason) {
  return reason.is_atom("normal") || reason.is_atom("shutdown") ||
         (reason.is_tuple(2) && reason[0].is_atom("shutdown"));
}

std::ostream& operator<<(std::ostream& os, const Term& t) { return os << t.to_string(); }
std::ostream& operator<<(std::ostream& os, Pid p) { return os << Term(p).to_string(); }
std::ostream& operator<<(std::ostream& os, Ref r) { return os << Term(r).to_string(); }

}  // namespace otp
