// Message: any copyable value, held in place when small, boxed when large; the same either
// way to its users (get, copy, move, to_term).
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "core/gen_server.hpp"
#include "core/message.hpp"

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

TEST(Message, CopyAndMoveKeepTheValue) {
  Big b;
  b.v[3] = 3;
  for (Message m : {Message(atom("x")), Message(b), Message(CallMsg{{Pid{1}, Ref{2}}, Message(integer(5))})}) {
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
