// Terms print exactly as Erlang prints them (DESIGN.md, Processes).
#include <gtest/gtest.h>

#include "core/term.hpp"

using namespace otp;

TEST(Term, PrintsLikeErlang) {
  EXPECT_EQ(tuple(atom("shutdown"), tuple(atom("failed_to_start_child"), atom("db"),
                                          atom("econnrefused")))
                .to_string(),
            "{shutdown,{failed_to_start_child,db,econnrefused}}");
  EXPECT_EQ(atom("EXIT").to_string(), "'EXIT'");
  EXPECT_EQ(atom("Elixir.GenServer").to_string(), "'Elixir.GenServer'");
  EXPECT_EQ(atom("receive").to_string(), "'receive'");
  EXPECT_EQ(atom("ok@host_1").to_string(), "ok@host_1");
  EXPECT_EQ(list(integer(1), str("a\"b"), Pid{7}).to_string(), "[1,\"a\\\"b\",<0.7.0>]");
  EXPECT_EQ(list().to_string(), "[]");
  EXPECT_EQ(Term(Ref{3}).to_string(), "#Ref<0.0.0.3>");
  EXPECT_EQ(Term().to_string(), "undefined");
}

TEST(Term, ErlangTermOrder) {
  EXPECT_LT(integer(5), atom("a"));
  EXPECT_LT(atom("a"), Term(Ref{1}));
  EXPECT_LT(Term(Pid{1}), tuple(integer(1)));
  EXPECT_LT(tuple(integer(9)), tuple(integer(1), integer(1)));  // tuples by size first
  EXPECT_LT(list(integer(1), integer(2)), list(integer(2)));    // lists lexicographically
  EXPECT_EQ(tuple(atom("a"), integer(1)), tuple(atom("a"), integer(1)));
}

TEST(Term, NormalExitsPerS1) {  // S1
  EXPECT_TRUE(is_normal_exit(atom("normal")));
  EXPECT_TRUE(is_normal_exit(atom("shutdown")));
  EXPECT_TRUE(is_normal_exit(tuple(atom("shutdown"), atom("x"))));
  EXPECT_FALSE(is_normal_exit(atom("kill")));
  EXPECT_FALSE(is_normal_exit(atom("killed")));
  EXPECT_FALSE(is_normal_exit(tuple(atom("shutdown"), atom("x"), atom("y"))));
}
