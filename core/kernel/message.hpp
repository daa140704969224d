#pragma once
// Message: a type-erased C++ value in a mailbox. Term is one such value; the kernel's own
// messages ({'EXIT',...}, {'DOWN',...}) are small structs that print as Erlang terms.
#include <cassert>
#include <cstddef>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <otpsim/core/kernel/term.hpp>
#include <otpsim/core/memory/block_cache.hpp>

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
  Pid pid;  // the process that was watched (none: a monitor of a name nobody held)
  Term reason;
  // A monitor of a registered name (Process::monitor(name)): {Name, nonode@nohost}, the object
  // OTP's DOWN carries then; otherwise `undefined` and the object is the pid.
  Term object{};
  bool by_name() const { return object.kind() == Term::Kind::tuple; }
  Term to_term() const { return tuple(atom("DOWN"), ref, atom("process"), by_name() ? object : Term(pid), reason); }
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
#if defined(__GLIBCXX__)
// libstdc++ keeps only trivially copyable callables in a std::function's own buffer and moves
// that buffer bytewise, so its std::function has no pointer into itself (libc++'s does).
template <class Sig>
struct is_relocatable<std::function<Sig>> : std::true_type {};
#endif

// A gen_server call or cast, or a call's reply, wraps its request in the same Message, so a
// request of up to 56 bytes less the header travels without a heap block ({'$gen_call', From,
// Req}, {'$gen_cast', Req}, {Ref, Reply}). Message::seal wraps, Message::open unwraps.
enum class Envelope : uint8_t { none, cast, call, reply };
struct EnvelopeHeader {
  Pid from;  // call: the caller
  Ref ref;   // call: the monitor/alias the reply carries; reply: that same ref
};
template <Envelope E, class D>
struct Enveloped;
template <class D>
struct Enveloped<Envelope::cast, D> {
  D value;
};
template <class D>
struct Enveloped<Envelope::call, D> {
  Pid from;
  Ref ref;
  D value;
};
template <class D>
struct Enveloped<Envelope::reply, D> {
  Ref ref;
  D value;
};
template <class T>
struct envelope_of : std::integral_constant<Envelope, Envelope::none> {};
template <Envelope E, class D>
struct envelope_of<Enveloped<E, D>> : std::integral_constant<Envelope, E> {};
template <Envelope E, class D>
struct is_relocatable<Enveloped<E, D>> : is_relocatable<D> {};

template <class T>
concept HasToTerm = requires(const T& v) {
  { v.to_term() } -> std::convertible_to<Term>;
};

// A value of any copyable C++ type. Values of up to kInline bytes (a Term, a pid, the kernel's
// EXIT/DOWN structs, a GenServer call) live in place: sending them allocates nothing beyond
// what the value itself holds. Larger ones are boxed in a block from the thread's block cache
// (the heap for a type aligned past its 16 bytes).
class Message {
 public:
  static constexpr size_t kInline = 56;

  Message() noexcept {}  // user-provided: a fresh mailbox slot is not zeroed first
  template <class T, class D = std::decay_t<T>>
    requires(!std::is_same_v<D, Message>)
  Message(T&& value)  // NOLINT: implicit, so `send(pid, Term{...})` reads naturally
      : ops_(&ops_for<D>) {
    if constexpr (fits<D>) new (buf_) D(std::forward<T>(value));
    else *reinterpret_cast<D**>(buf_) = box<D>(std::forward<T>(value));
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

  // Envelopes (see Enveloped): what this message is, its header, the value inside, and wrapping
  // a value. seal/open move the value: no copy, and no allocation when the result fits in place.
  Envelope envelope() const { return ops_ ? ops_->envelope : Envelope::none; }
  EnvelopeHeader header() const {
    assert(envelope() != Envelope::none && "header() of a message that is no envelope");
    return ops_->header(buf_);
  }
  Message open() && {
    assert(envelope() != Envelope::none && "open() of a message that is no envelope");
    Message out;
    if (ops_->open(buf_, out)) ops_ = nullptr;  // its value's bytes moved out: nothing to destroy
    return out;
  }
  Message seal(Envelope e, EnvelopeHeader h) && {
    assert(e != Envelope::none && "seal() into no envelope");
    Message out;
    if (ops_) ops_->seal(buf_, e, h, out);
    else seal_empty(e, h, out);
    return out;
  }

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
    Envelope envelope;
    EnvelopeHeader (*header)(const std::byte* at);  // envelopes only
    bool (*open)(std::byte* at, Message& out);       // envelopes only; true: relocated out
    void (*seal)(std::byte* at, Envelope e, EnvelopeHeader h, Message& out);
  };
  template <class D>
  static EnvelopeHeader header_of(const std::byte* at);
  template <class D>
  static bool open_into(std::byte* at, Message& out);
  template <class D>
  static void seal_into(std::byte* at, Envelope e, EnvelopeHeader h, Message& out);
  static void seal_empty(Envelope e, EnvelopeHeader h, Message& out);
  template <class Inner>  // an rvalue: the value goes into the envelope
  static void seal_value(Envelope e, EnvelopeHeader h, Inner&& v, Message& out);
  template <class D>
  static constexpr bool fits =
      sizeof(D) <= kInline && alignof(D) <= 8 && std::is_nothrow_move_constructible_v<D>;
  template <class D, class... A>
  static D* box(A&&... a) {
    if constexpr (alignof(D) > 16) {  // blocks are 16-byte aligned
      return new D(std::forward<A>(a)...);
    } else {
      void* p = block_cache::allocate(sizeof(D));
      try {
        return new (p) D(std::forward<A>(a)...);
      } catch (...) {
        block_cache::deallocate(p, sizeof(D));
        throw;
      }
    }
  }
  template <class D>
  static void unbox(D* d) noexcept {
    if constexpr (alignof(D) > 16) {
      delete d;
    } else {
      d->~D();
      block_cache::deallocate(d, sizeof(D));
    }
  }
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
    } else if constexpr (std::is_same_v<D, Message>) {
      return v.to_term();
    } else if constexpr (envelope_of<D>::value == Envelope::cast) {
      return tuple(atom("$gen_cast"), term_of(v.value));
    } else if constexpr (envelope_of<D>::value == Envelope::call) {
      return tuple(atom("$gen_call"), tuple(v.from, v.ref), term_of(v.value));
    } else if constexpr (envelope_of<D>::value == Envelope::reply) {
      return tuple(v.ref, term_of(v.value));
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
        else *reinterpret_cast<D**>(to) = Message::box<D>(*Message::ptr<D>(from));
      },
      [](std::byte* to, std::byte* from) {
        if constexpr (fits<D>) new (to) D(std::move(*Message::ptr<D>(from)));
        else *reinterpret_cast<D**>(to) = std::exchange(*reinterpret_cast<D**>(from), nullptr);
      },
      [](std::byte* at) {
        if constexpr (fits<D>) Message::ptr<D>(at)->~D();
        else Message::unbox(*reinterpret_cast<D**>(at));
      },
      [](const std::byte* at) { return Message::term_of<D>(*Message::ptr<D>(at)); },
      !fits<D> || is_relocatable<D>::value,
      envelope_of<D>::value,
      &Message::header_of<D>,
      &Message::open_into<D>,
      &Message::seal_into<D>,
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

// erlang:start_timer's message, {timeout, TimerRef, Msg} (Process::start_timer): the timer's
// ref tells one timer's message from another's.
struct TimeoutMsg {
  Ref timer;
  Message msg;
  Term to_term() const { return tuple(atom("timeout"), timer, msg.to_term()); }
};

template <class Inner>
void Message::seal_value(Envelope e, EnvelopeHeader h, Inner&& v, Message& out) {
  switch (e) {
    case Envelope::cast: out = Message(Enveloped<Envelope::cast, Inner>{std::move(v)}); return;
    case Envelope::call: out = Message(Enveloped<Envelope::call, Inner>{h.from, h.ref, std::move(v)}); return;
    case Envelope::reply: out = Message(Enveloped<Envelope::reply, Inner>{h.ref, std::move(v)}); return;
    case Envelope::none: break;
  }
  assert(false && "seal into no envelope");
}

inline void Message::seal_empty(Envelope e, EnvelopeHeader h, Message& out) { seal_value(e, h, Message(), out); }

template <class D>
EnvelopeHeader Message::header_of(const std::byte* at) {
  [[maybe_unused]] const D& v = *ptr<D>(at);
  if constexpr (envelope_of<D>::value == Envelope::call) return {v.from, v.ref};
  else if constexpr (envelope_of<D>::value == Envelope::reply) return {Pid{}, v.ref};
  else return {};
}

// An envelope held in place whose value is relocatable hands the value's bytes over as they
// are (every gen_server request is opened once: no move constructor, no destructor); the
// envelope is then forgotten, not destroyed (its header is trivial).
template <class D>
bool Message::open_into(std::byte* at, Message& out) {
  if constexpr (envelope_of<D>::value != Envelope::none) {
    using V = decltype(D::value);
    auto* v = &ptr<D>(at)->value;
    if constexpr (fits<D> && fits<V> && is_relocatable<V>::value && !std::is_same_v<V, Message>) {
      static_assert(std::is_trivially_destructible_v<Pid> && std::is_trivially_destructible_v<Ref>);
      std::memcpy(out.buf_, static_cast<void*>(v), sizeof(V));
      out.ops_ = &ops_for<V>;
      return true;
    } else {
      out = Message(std::move(*v));
      return false;
    }
  } else {
    assert(false && "open() of a message that is no envelope");
    return false;
  }
}

template <class D>
void Message::seal_into(std::byte* at, Envelope e, EnvelopeHeader h, Message& out) {
  // An envelope or an erased Message inside another goes in as a Message, so the types an
  // envelope can hold stay finite (no Enveloped<cast, Enveloped<cast, ...>>).
  using Inner = std::conditional_t<envelope_of<D>::value == Envelope::none, D, Message>;
  auto inner = [&]() -> Inner {
    if constexpr (std::is_same_v<Inner, D>) return std::move(*ptr<D>(at));
    else return Message(std::move(*ptr<D>(at)));
  };
  seal_value(e, h, inner(), out);
}

}  // namespace otp
