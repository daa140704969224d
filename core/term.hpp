#pragma once
// Term: Erlang-shaped values for exit reasons, ids, keys and replies. Printed exactly as
// Erlang's ~p prints them (minus line breaking) so traces compare with OTP's.
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace otp {

struct Pid {
  uint64_t id = 0;  // 0 = no process (Erlang's `undefined` where a pid is optional)
  explicit operator bool() const { return id != 0; }
  auto operator<=>(const Pid&) const = default;
};

struct Ref {
  uint64_t id = 0;
  explicit operator bool() const { return id != 0; }
  auto operator<=>(const Ref&) const = default;
};

class Term {
 public:
  // Declared in Erlang's term order: number < atom < reference < pid < tuple < list < string.
  enum class Kind : uint8_t { integer, atom, ref, pid, tuple, list, string };

  Term() : Term(Kind::atom, 0, "undefined") {}
  Term(Pid p) : kind_(Kind::pid), num_(static_cast<int64_t>(p.id)) {}  // NOLINT implicit
  Term(Ref r) : kind_(Kind::ref), num_(static_cast<int64_t>(r.id)) {}  // NOLINT implicit

  static Term atom(std::string_view name) { return Term(Kind::atom, 0, std::string(name)); }
  static Term integer(int64_t v) { return Term(Kind::integer, v, {}); }
  static Term string(std::string_view s) { return Term(Kind::string, 0, std::string(s)); }
  static Term tuple(std::vector<Term> items) { return Term(Kind::tuple, std::move(items)); }
  static Term list(std::vector<Term> items) { return Term(Kind::list, std::move(items)); }

  Kind kind() const { return kind_; }
  bool is_atom() const { return kind_ == Kind::atom; }
  bool is_atom(std::string_view name) const { return kind_ == Kind::atom && text_ == name; }
  bool is_integer() const { return kind_ == Kind::integer; }
  bool is_pid() const { return kind_ == Kind::pid; }
  bool is_tuple() const { return kind_ == Kind::tuple; }
  bool is_tuple(size_t arity) const { return kind_ == Kind::tuple && size() == arity; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_string() const { return kind_ == Kind::string; }

  const std::string& text() const { return text_; }  // atom name or string contents
  int64_t integer_value() const { return num_; }
  Pid pid() const { return Pid{static_cast<uint64_t>(num_)}; }
  Ref ref() const { return Ref{static_cast<uint64_t>(num_)}; }
  size_t size() const { return items_ ? items_->size() : 0; }
  const Term& operator[](size_t i) const { return (*items_)[i]; }
  const std::vector<Term>& items() const;

  std::string to_string() const;
  void print(std::string& out) const;

  friend bool operator==(const Term& a, const Term& b) { return compare(a, b) == 0; }
  friend std::strong_ordering operator<=>(const Term& a, const Term& b) {
    return compare(a, b) <=> 0;
  }
  static int compare(const Term& a, const Term& b);

 private:
  Term(Kind k, int64_t n, std::string s) : kind_(k), num_(n), text_(std::move(s)) {}
  Term(Kind k, std::vector<Term> items)
      : kind_(k), items_(std::make_shared<const std::vector<Term>>(std::move(items))) {}

  Kind kind_;
  int64_t num_ = 0;
  std::string text_;
  std::shared_ptr<const std::vector<Term>> items_;  // immutable, so copies share it
};

// Shorthands that read like Erlang: atom("normal"), tuple(atom("error"), reason).
inline Term atom(std::string_view name) { return Term::atom(name); }
inline Term integer(int64_t v) { return Term::integer(v); }
inline Term str(std::string_view s) { return Term::string(s); }
template <class... Ts>
Term tuple(Ts&&... items) {
  return Term::tuple(std::vector<Term>{Term(std::forward<Ts>(items))...});
}
template <class... Ts>
Term list(Ts&&... items) {
  return Term::list(std::vector<Term>{Term(std::forward<Ts>(items))...});
}

// S1: normal, shutdown and {shutdown, _} are the "normal" exits; everything else is abnormal.
bool is_normal_exit(const Term& reason);

namespace reasons {
inline Term normal() { return atom("normal"); }
inline Term shutdown() { return atom("shutdown"); }
inline Term kill() { return atom("kill"); }
inline Term killed() { return atom("killed"); }
inline Term noproc() { return atom("noproc"); }
}  // namespace reasons

}  // namespace otp
