// Message: any copyable value, held in place when small, boxed when large; the same either
// way to its users (get, copy, move, to_term).
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/core/kernel/message.hpp>

using namespace otp;

namespace {
struct Big {  // larger than the in-place room: boxed
  std::array<int64_t, 16> v{};
  Term to_term() const { return integer(v[0]); }
};
}  // namespace

TEST(Message, SmallAndLargeValuesRoundTrip) {
  static_assert(sizeof(Big) > Message::kInline);
  Message small(tuple(atom("ok"), integer(1)));
  Big b;
  b.v[0] = 42;
  b.v[15] = 7;
  Message large(b);
  ASSERT_NE(small.get<Term>(), nullptr);
  EXPECT_EQ(small.get<Big>(), nullptr);
  ASSERT_NE(large.get<Big>(), nullptr);
  EXPECT_EQ(large.get<Term>(), nullptr);
  EXPECT_EQ(large.get<Big>()->v[15], 7);
  EXPECT_EQ(large.to_term(), integer(42));
  EXPECT_EQ(small.to_term().to_string(), "{ok,1}");
  EXPECT_EQ(Message().to_term(), atom("undefined"));
  EXPECT_TRUE(Message().empty());
}

namespace {
struct alignas(64) OverAligned {  // boxed, and more aligned than the block cache's 16 bytes
  std::array<int64_t, 12> v{};
};
struct Counted {  // boxed; counts live copies, so a leak or a double destroy shows
  static inline int live = 0;
  std::array<int64_t, 10> v{};
  Counted() { ++live; }
  Counted(const Counted& o) : v(o.v) { ++live; }
  ~Counted() { --live; }
};
}  // namespace

// A boxed value lives in a block from the block cache (or the heap, if over-aligned): its
// alignment holds, and every copy is destroyed exactly once.
TEST(Message, BoxedValuesKeepAlignmentAndAreDestroyedOnce) {
  static_assert(sizeof(OverAligned) > Message::kInline && sizeof(Counted) > Message::kInline);
  {
    OverAligned o;
    o.v[11] = 11;
    Message m(o);
    Message c = m;
    ASSERT_NE(c.get<OverAligned>(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(c.get<OverAligned>()) % 64, 0u);
    EXPECT_EQ(c.get<OverAligned>()->v[11], 11);
    Counted k;
    k.v[9] = 9;
    std::vector<Message> ms;
    for (int i = 0; i < 100; ++i) ms.emplace_back(k);
    EXPECT_EQ(Counted::live, 1 + 100);
    Message sealed = Message(k).seal(Envelope::call, {Pid{1}, Ref{2}});
    EXPECT_EQ(std::move(sealed).open().get<Counted>()->v[9], 9);
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST(Message, CopyAndMoveKeepTheValue) {
  Big b;
  b.v[3] = 3;
  for (Message m : {Message(atom("x")), Message(b), Message(integer(5)).seal(Envelope::call, {Pid{1}, Ref{2}})}) {
    Message copy = m;
    EXPECT_EQ(copy.to_term(), m.to_term());
    Message moved = std::move(m);
    EXPECT_EQ(moved.to_term(), copy.to_term());
    EXPECT_TRUE(m.empty());  // NOLINT: moved-from is empty
    copy = moved;            // copy-assign over a value
    moved = Message(integer(9));
    EXPECT_EQ(moved.to_term(), integer(9));
    EXPECT_EQ(copy.to_term().to_string(), copy.to_term().to_string());
  }
  auto owned = std::make_shared<int>(1);
  {
    Message m(owned);  // a shared_ptr is held in place; its count shows copies and releases
    Message c = m;
    EXPECT_EQ(owned.use_count(), 3);
  }
  EXPECT_EQ(owned.use_count(), 1);
}

// gen_server's envelopes ({'$gen_call', From, Req}, {'$gen_cast', Req}, {Ref, Reply}) wrap the
// request in the same Message; opening one gives the request back, whatever its size.
TEST(Message, EnvelopesWrapAndOpenAnyValue) {
  Message call = Message(tuple(atom("get"), integer(1))).seal(Envelope::call, {Pid{3}, Ref{4}});
  EXPECT_EQ(call.envelope(), Envelope::call);
  EXPECT_EQ(call.header().from, Pid{3});
  EXPECT_EQ(call.header().ref, Ref{4});
  EXPECT_EQ(call.to_term(), tuple(atom("$gen_call"), tuple(Pid{3}, Ref{4}), tuple(atom("get"), integer(1))));
  Message req = std::move(call).open();
  EXPECT_EQ(req.envelope(), Envelope::none);
  EXPECT_EQ(*req.get<Term>(), tuple(atom("get"), integer(1)));

  Big b;
  b.v[15] = 15;
  Message cast = Message(b).seal(Envelope::cast, {});  // boxed inside: the box moves, no copy
  EXPECT_EQ(cast.envelope(), Envelope::cast);
  EXPECT_EQ(cast.to_term(), tuple(atom("$gen_cast"), integer(0)));
  Message opened = std::move(cast).open();
  ASSERT_NE(opened.get<Big>(), nullptr);
  EXPECT_EQ(opened.get<Big>()->v[15], 15);

  Message reply = Message().seal(Envelope::reply, {Pid{}, Ref{9}});  // an empty value survives
  EXPECT_EQ(reply.header().ref, Ref{9});
  EXPECT_TRUE(std::move(reply).open().empty());

  // An envelope inside an envelope (a cast forwarded as a call's request) keeps both.
  Message nested = Message(atom("x")).seal(Envelope::cast, {}).seal(Envelope::call, {Pid{1}, Ref{2}});
  EXPECT_EQ(nested.to_term().to_string(), "{'$gen_call',{<0.1.0>,#Ref<0.0.0.2>},{'$gen_cast',x}}");
  Message inner = std::move(nested).open();
  EXPECT_EQ(inner.envelope(), Envelope::cast);
  EXPECT_EQ(*std::move(inner).open().get<Term>(), atom("x"));
}
