#pragma once
// Message: a type-erased C++ value in a mailbox. Term is one such value; the kernel's own
// messages ({'EXIT',...}, {'DOWN',...}) are small structs that print as Erlang terms.
#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "core/term.hpp"

namespace otp {

// {'EXIT', From, Reason}: an exit signal turned into a message because the receiver traps exits.
struct ExitMsg {
  Pid from;
  Term reason;
  Term to_term() const { return tuple(atom("EXIT"), from, reason); }
};

// {'DOWN', Ref, process, Pid, Reason}
struct DownMsg {
  Ref ref;
  Pid pid;
  Term reason;
  Term to_term() const { return tuple(atom("DOWN"), ref, atom("process"), pid, reason); }
};

// Values whose bytes may be moved to another address with memcpy, the source then forgotten
// (no move constructor, no destructor run): a Message moves them without an indirect call.
// Specialise for your own message types that hold no pointer into themselves.
template <class T>
struct is_relocatable : std::is_trivially_copyable<T> {};
template <>
struct is_relocatable<Term> : std::true_type {};
template <>
struct is_relocatable<ExitMsg> : std::true_type {};
template <>
struct is_relocatable<DownMsg> : std::true_type {};

template <class T>
concept HasToTerm = requires(const T& v) {
  { v.to_term() } -> std::convertible_to<Term>;
};

// A value of any copyable C++ type. Values of up to kInline bytes (a Term, a pid, the kernel's
// EXIT/DOWN structs, a GenServer call) live in place: sending them allocates nothing beyond
// what the value itself holds. Larger ones are boxed on the heap.
class Message {
 public:
  static constexpr size_t kInline = 56;

  Message() noexcept {}  // user-provided: a fresh mailbox slot is not zeroed first
  template <class T, class D = std::decay_t<T>>
    requires(!std::is_same_v<D, Message>)
  Message(T&& value)  // NOLINT: implicit, so `send(pid, Term{...})` reads naturally
      : ops_(&ops_for<D>) {
    if constexpr (fits<D>) new (buf_) D(std::forward<T>(value));
    else *reinterpret_cast<D**>(buf_) = new D(std::forward<T>(value));
  }
  Message(const Message& o) : ops_(o.ops_) {
    if (ops_) ops_->copy(buf_, o.buf_);
  }
  Message(Message&& o) noexcept : ops_(o.ops_) { take(o); }
  Message& operator=(const Message& o) {
    if (this != &o) {
      Message copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  Message& operator=(Message&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      take(o);
    }
    return *this;
  }
  ~Message() { reset(); }

  template <class T>
  bool is() const {
    return ops_ == &ops_for<T>;
  }
  template <class T>
  const T* get() const {
    return ops_ == &ops_for<T> ? ptr<T>(buf_) : nullptr;
  }
  template <class T>
  T* get_mut() {
    return ops_ == &ops_for<T> ? ptr<T>(buf_) : nullptr;
  }
  bool empty() const { return ops_ == nullptr; }

  // The message as a Term: itself if it is one, its to_term() if it has one, else an atom
  // naming its C++ type (stable for one build, which is all a trace hash needs).
  Term to_term() const { return ops_ ? ops_->to_term(buf_) : atom("undefined"); }

 private:
  struct Ops {
    void (*copy)(std::byte* to, const std::byte* from);
    void (*move)(std::byte* to, std::byte* from);  // leaves `from` to be destroyed
    void (*destroy)(std::byte* at);
    Term (*to_term)(const std::byte* at);
    bool relocatable;  // move = copy the bytes (boxed values always are: a pointer)
  };
  template <class D>
  static constexpr bool fits =
      sizeof(D) <= kInline && alignof(D) <= 8 && std::is_nothrow_move_constructible_v<D>;
  template <class D>
  static D* ptr(std::byte* at) {
    if constexpr (fits<D>) return std::launder(reinterpret_cast<D*>(at));
    else return *reinterpret_cast<D**>(at);
  }
  template <class D>
  static const D* ptr(const std::byte* at) {
    return ptr<D>(const_cast<std::byte*>(at));
  }
  template <class D>
  static Term term_of(const D& v) {
    if constexpr (std::is_same_v<D, Term>) {
      return v;
    } else if constexpr (HasToTerm<D>) {
      return v.to_term();
    } else if constexpr (std::is_integral_v<D>) {
      return integer(static_cast<int64_t>(v));
    } else if constexpr (std::is_convertible_v<D, std::string>) {
      return str(std::string(v));
    } else if constexpr (std::is_same_v<D, Pid> || std::is_same_v<D, Ref>) {
      return Term(v);
    } else {
      return atom(std::string("#") + typeid(D).name());
    }
  }

  template <class D>
  static constexpr Ops ops_for = {
      [](std::byte* to, const std::byte* from) {
        if constexpr (fits<D>) new (to) D(*Message::ptr<D>(from));
        else *reinterpret_cast<D**>(to) = new D(*Message::ptr<D>(from));
      },
      [](std::byte* to, std::byte* from) {
        if constexpr (fits<D>) new (to) D(std::move(*Message::ptr<D>(from)));
        else *reinterpret_cast<D**>(to) = std::exchange(*reinterpret_cast<D**>(from), nullptr);
      },
      [](std::byte* at) {
        if constexpr (fits<D>) Message::ptr<D>(at)->~D();
        else delete *reinterpret_cast<D**>(at);
      },
      [](const std::byte* at) { return Message::term_of<D>(*Message::ptr<D>(at)); },
      !fits<D> || is_relocatable<D>::value,
  };
  // Moves o's value here (ops_ already copied) and leaves o empty. A message is moved several
  // times between send and receive, so the common relocatable case is a fixed-size copy.
  void take(Message& o) noexcept {
    if (!ops_) return;
    if (ops_->relocatable) {
      std::memcpy(buf_, o.buf_, kInline);
      o.ops_ = nullptr;
    } else {
      ops_->move(buf_, o.buf_);
      o.reset();
    }
  }
  void reset() noexcept {
    if (ops_) ops_->destroy(buf_);
    ops_ = nullptr;
  }

  alignas(8) std::byte buf_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace otp
