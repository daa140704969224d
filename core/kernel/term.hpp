#pragma once
// Term: Erlang-shaped values for exit reasons, ids, keys and replies. Printed exactly as
// Erlang's ~p prints them (minus line breaking) so traces compare with OTP's.
#include <atomic>
#include <compare>
#include <cstring>
#include <new>
#include <span>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace otp {

// A pid's id is (serial << 27) | index, as the BEAM builds its pids: `index` is the process's
// slot in its node's process table (1 .. 2^27-1: at most 134,217,727 live processes, the BEAM's
// limit too), `serial` counts the earlier processes that used that slot (36 bits, so ids stay
// below 2^63 and never repeat: a slot whose serial would wrap is retired). Printed as
// <0.index.serial>. A node hands out fresh slots first (serial 0) until its first table chunk
// is used, so a run of up to 4,095 spawns has pids <0.1.0>, <0.2.0>, ... (see Node::spawn).
struct Pid {
  uint64_t id = 0;  // 0 = no process (Erlang's `undefined` where a pid is optional)
  explicit operator bool() const { return id != 0; }
  auto operator<=>(const Pid&) const = default;
};

inline constexpr unsigned kPidIndexBits = 27;
inline constexpr uint64_t kPidIndexMask = (uint64_t{1} << kPidIndexBits) - 1;
inline constexpr uint64_t kPidSerialMax = (uint64_t{1} << 36) - 1;
constexpr uint64_t pid_index(Pid p) { return p.id & kPidIndexMask; }
constexpr uint64_t pid_serial(Pid p) { return p.id >> kPidIndexBits; }
constexpr Pid make_pid(uint64_t index, uint64_t serial) { return Pid{(serial << kPidIndexBits) | index}; }

struct Ref {
  uint64_t id = 0;
  explicit operator bool() const { return id != 0; }
  auto operator<=>(const Ref&) const = default;
};

// 16 bytes. Integers, pids, refs and atoms of up to 14 characters are held in place; tuples,
// lists, strings and longer atoms in one shared, immutable, reference-counted block (copies
// share it; the count is atomic because the rt executor hands terms between threads). A
// message like {job, Pid, 7} is thus one allocation, not one per element.
class alignas(8) Term {
 public:
  // Declared in Erlang's term order: number < atom < reference < pid < tuple < list < string.
  enum class Kind : uint8_t { integer, atom, ref, pid, tuple, list, string };

  Term() noexcept : Term(Kind::atom, std::string_view("undefined")) {}
  Term(Pid p) noexcept : kind_(Kind::pid) { set_num(static_cast<int64_t>(p.id)); }  // NOLINT implicit
  Term(Ref r) noexcept : kind_(Kind::ref) { set_num(static_cast<int64_t>(r.id)); }  // NOLINT implicit
  Term(const Term& o) noexcept : kind_(o.kind_), tag_(o.tag_) {
    std::memcpy(bytes_, o.bytes_, sizeof bytes_);
    if (Box* b = box()) b->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Term(Term&& o) noexcept : kind_(o.kind_), tag_(o.tag_) {
    std::memcpy(bytes_, o.bytes_, sizeof bytes_);
    if (o.tag_ == kBoxed) o.empty_box();  // a moved-from tuple is empty, an atom stays
  }
  Term& operator=(const Term& o) noexcept {
    Term copy(o);
    return *this = std::move(copy);
  }
  Term& operator=(Term&& o) noexcept {
    if (this != &o) {
      release();
      kind_ = o.kind_;
      tag_ = o.tag_;
      std::memcpy(bytes_, o.bytes_, sizeof bytes_);
      if (o.tag_ == kBoxed) o.empty_box();
    }
    return *this;
  }
  ~Term() { release(); }

  static Term atom(std::string_view name) { return Term(Kind::atom, name); }
  static Term integer(int64_t v) {
    Term t(Kind::integer);
    t.set_num(v);
    return t;
  }
  static Term string(std::string_view s) { return Term(Kind::string, s); }
  // Tuples and lists nest at most this deep (a flat {a,b} is 1): printing, comparing and freeing
  // a term recurse once per level, on whatever thread stack the process runs. Deeper throws
  // Exit({system_limit, "..."}), as the BEAM's own implementation limits raise system_limit.
  static constexpr unsigned kMaxDepth = 1'000;
  // Atoms hold at most kMaxAtom characters (UTF-8; as on the BEAM), strings kMaxText bytes (a
  // block's size is 32 bits); longer throws Exit({system_limit, "..."}).
  static constexpr size_t kMaxAtom = 255;
  static constexpr size_t kMaxText = (size_t{1} << 32) - 1;
  static Term tuple(std::vector<Term> items) { return Term(Kind::tuple, std::move(items)); }
  static Term list(std::vector<Term> items) { return Term(Kind::list, std::move(items)); }
  // A tuple built in place from its elements (no intermediate vector).
  template <class... Ts>
  static Term make_tuple(Ts&&... items) {
    Term t(Kind::tuple);
    Box* b = Box::make(sizeof...(Ts), sizeof(Term));
    Term* out = b->terms();
    (new (out++) Term(std::forward<Ts>(items)), ...);
    t.set_box(b);
    t.set_depth(nested_depth(b->terms(), sizeof...(Ts)));  // throws past kMaxDepth: t frees b
    return t;
  }

  Kind kind() const { return kind_; }
  bool is_atom() const { return kind_ == Kind::atom; }
  bool is_atom(std::string_view name) const { return kind_ == Kind::atom && text() == name; }
  bool is_integer() const { return kind_ == Kind::integer; }
  bool is_pid() const { return kind_ == Kind::pid; }
  bool is_tuple() const { return kind_ == Kind::tuple; }
  bool is_tuple(size_t arity) const { return kind_ == Kind::tuple && size() == arity; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_string() const { return kind_ == Kind::string; }

  std::string_view text() const {  // atom name or string contents
    if (tag_ == kBoxed) {
      const Box* b = box();
      return b && (kind_ == Kind::atom || kind_ == Kind::string) ? std::string_view(b->chars(), b->size) : std::string_view();
    }
    return kind_ == Kind::atom ? std::string_view(bytes_, tag_) : std::string_view();
  }
  // The value of an integer, pid or ref; asked of another kind of term it throws
  // std::invalid_argument naming the term (Erlang raises badarg), never reads its bytes.
  int64_t integer_value() const {
    if (kind_ != Kind::integer) [[unlikely]]
      throw_wrong_kind("an integer");
    return num();
  }
  Pid pid() const {
    if (kind_ != Kind::pid) [[unlikely]]
      throw_wrong_kind("a pid");
    return Pid{static_cast<uint64_t>(num())};
  }
  Ref ref() const {
    if (kind_ != Kind::ref) [[unlikely]]
      throw_wrong_kind("a ref");
    return Ref{static_cast<uint64_t>(num())};
  }
  size_t size() const { return items().size(); }
  // Element i of a tuple or list; anything else (past the end, or not a tuple) is a bug in the
  // caller, thrown as std::out_of_range so a process that does it crashes instead of reading
  // past the term (Erlang's element/2 raises badarg).
  const Term& operator[](size_t i) const {
    auto it = items();
    if (i >= it.size()) [[unlikely]]
      throw_out_of_range(i);
    return it[i];
  }
  std::span<const Term> items() const {
    const Box* b = box();
    return b && (kind_ == Kind::tuple || kind_ == Kind::list) ? std::span<const Term>(b->terms(), b->size)
                                                              : std::span<const Term>();
  }

  std::string to_string() const;
  void print(std::string& out) const;

  friend bool operator==(const Term& a, const Term& b) {
    if (a.kind_ != b.kind_) return false;
    if (a.kind_ == Kind::integer || a.kind_ == Kind::pid || a.kind_ == Kind::ref) return a.num() == b.num();  // no call
    return compare(a, b) == 0;
  }
  friend std::strong_ordering operator<=>(const Term& a, const Term& b) {
    return compare(a, b) <=> 0;
  }
  static int compare(const Term& a, const Term& b);

  // erlang:setelement/3 (0-based here): this tuple with element i replaced. When this term is
  // the block's only holder nobody can observe a change, so the block is updated in place.
  Term with_element(size_t i, Term v) &&;

 private:
  [[noreturn]] void throw_out_of_range(size_t i) const;
  [[noreturn]] void throw_wrong_kind(const char* wanted) const;
  static constexpr uint8_t kBoxed = 0xFF;       // tag_: the payload is a Box*
  static constexpr size_t kInlineText = 14;     // atoms this long or shorter need no block
  struct Box {
    std::atomic<uint32_t> refs{1};
    uint32_t size = 0;  // elements, or characters
    static Box* make(size_t n, size_t elem);
    Term* terms() { return reinterpret_cast<Term*>(this + 1); }
    const Term* terms() const { return reinterpret_cast<const Term*>(this + 1); }
    char* chars() { return reinterpret_cast<char*>(this + 1); }
    const char* chars() const { return reinterpret_cast<const char*>(this + 1); }
  };
  static_assert(sizeof(Box) == 8, "elements follow the header at 8-byte alignment");

  explicit Term(Kind k) noexcept : kind_(k), tag_(0) {}
  // Inline here: atom("ok") is built on every hot path, so the short case must not be a call.
  Term(Kind k, std::string_view text) : kind_(k) {
    if (k == Kind::atom && text.size() <= kInlineText) {
      tag_ = static_cast<uint8_t>(text.size());
      std::memcpy(bytes_, text.data(), text.size());
    } else {
      set_box(boxed_text(text, k));
    }
  }
  static Box* boxed_text(std::string_view text, Kind k);
  Term(Kind k, std::vector<Term> items);
  // A boxed tuple's or list's nesting depth is kept in bytes_[0..1] (unused beside a Box*).
  unsigned depth() const {
    if (tag_ != kBoxed || (kind_ != Kind::tuple && kind_ != Kind::list)) return 0;
    uint16_t d;
    std::memcpy(&d, bytes_, sizeof d);
    return d;
  }
  void set_depth(unsigned d) {
    const auto v = static_cast<uint16_t>(d);
    std::memcpy(bytes_, &v, sizeof v);
  }
  // 1 + the deepest of n elements; throws Exit({system_limit, ...}) past kMaxDepth.
  static unsigned nested_depth(const Term* items, size_t n);
  void empty_box() {
    set_box(nullptr);
    set_depth(0);
  }

  int64_t num() const {
    int64_t v;
    std::memcpy(&v, bytes_ + 6, sizeof v);
    return v;
  }
  void set_num(int64_t v) {
    tag_ = 0;
    std::memset(bytes_, 0, 6);
    std::memcpy(bytes_ + 6, &v, sizeof v);
  }
  Box* box() const {
    if (tag_ != kBoxed) return nullptr;
    Box* b;
    std::memcpy(&b, bytes_ + 6, sizeof b);
    return b;
  }
  void set_box(Box* b) {
    tag_ = kBoxed;
    std::memcpy(bytes_ + 6, &b, sizeof b);
  }
  void release() noexcept {
    Box* b = box();
    if (!b) return;
    if (unshared(b) || b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(b, kind_);
  }
  // This holder is the block's only one: nobody else can take another reference, so it may
  // be dropped without a locked decrement, or updated in place.
  static bool unshared(const Box* b) { return b->refs.load(std::memory_order_acquire) == 1; }
  static void destroy(Box* b, Kind k) noexcept;

  Kind kind_ = Kind::integer;
  uint8_t tag_ = 0;       // atoms: the inline length; kBoxed: the payload is a Box*
  char bytes_[14] = {};   // inline atom text; or at offset 6, the int64 / Box* payload
};
static_assert(sizeof(Term) == 16);

// Shorthands that read like Erlang: atom("normal"), tuple(atom("error"), reason).
inline Term atom(std::string_view name) { return Term::atom(name); }
inline Term integer(int64_t v) { return Term::integer(v); }
inline Term str(std::string_view s) { return Term::string(s); }
template <class... Ts>
Term tuple(Ts&&... items) {
  return Term::make_tuple(std::forward<Ts>(items)...);
}
template <class... Ts>
Term list(Ts&&... items) {
  return Term::list(std::vector<Term>{Term(std::forward<Ts>(items))...});
}

// S1: normal, shutdown and {shutdown, _} are the "normal" exits; everything else is abnormal.
bool is_normal_exit(const Term& reason);

// As Erlang prints them (to_string): what a failed EXPECT_EQ on a term, pid or ref shows.
std::ostream& operator<<(std::ostream& os, const Term& t);
std::ostream& operator<<(std::ostream& os, Pid p);
std::ostream& operator<<(std::ostream& os, Ref r);

namespace reasons {
inline Term normal() { return atom("normal"); }
inline Term shutdown() { return atom("shutdown"); }
inline Term kill() { return atom("kill"); }
inline Term killed() { return atom("killed"); }
inline Term noproc() { return atom("noproc"); }
}  // namespace reasons

}  // namespace otp
