#pragma once
// Message: a type-erased C++ value in a mailbox. Term is one such value; the kernel's own
// messages ({'EXIT',...}, {'DOWN',...}) are small structs that print as Erlang terms.
#include <any>
#include <string>
#include <type_traits>
#include <typeinfo>

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

template <class T>
concept HasToTerm = requires(const T& v) {
  { v.to_term() } -> std::convertible_to<Term>;
};

class Message {
 public:
  Message() = default;
  template <class T, class D = std::decay_t<T>>
    requires(!std::is_same_v<D, Message>)
  Message(T&& value)  // NOLINT: implicit, so `send(pid, Term{...})` reads naturally
      : value_(std::forward<T>(value)), to_term_(&term_of<D>) {}

  template <class T>
  bool is() const {
    return std::any_cast<T>(&value_) != nullptr;
  }
  template <class T>
  const T* get() const {
    return std::any_cast<T>(&value_);
  }
  template <class T>
  T* get_mut() {
    return std::any_cast<T>(&value_);
  }
  bool empty() const { return !value_.has_value(); }

  // The message as a Term: itself if it is one, its to_term() if it has one, else an atom
  // naming its C++ type (stable for one build, which is all a trace hash needs).
  Term to_term() const { return to_term_ ? to_term_(value_) : atom("undefined"); }

 private:
  template <class D>
  static Term term_of(const std::any& a) {
    const D& v = *std::any_cast<D>(&a);
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

  std::any value_;
  Term (*to_term_)(const std::any&) = nullptr;
};

}  // namespace otp
