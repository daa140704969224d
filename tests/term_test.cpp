// Terms print exactly as Erlang prints them (DESIGN.md, Processes).
#include <gtest/gtest.h>

#include <sstream>

#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/term.hpp>

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

// A term's printed form is valid UTF-8 whatever bytes a string holds (it goes into traces, JSON
// and pages): UTF-8 characters as they are, any other byte in octal, as the scenario reader
// takes it back.
TEST(Term, BytesThatAreNotUtf8PrintInOctal) {
  EXPECT_EQ(str("caf\xc3\xa9").to_string(), "\"caf\xc3\xa9\"");
  EXPECT_EQ(str("a\xff" "b").to_string(), "\"a\\377b\"");
  EXPECT_EQ(str("\xc3").to_string(), "\"\\303\"");                  // a character cut short
  EXPECT_EQ(str("\xed\xa0\x80").to_string(), "\"\\355\\240\\200\"");  // a surrogate
  EXPECT_EQ(str("\xc0\xaf").to_string(), "\"\\300\\257\"");          // an overlong '/'
  EXPECT_EQ(str("\xf0\x9f\x98\x80").to_string(), "\"\xf0\x9f\x98\x80\"");
}

// A failed EXPECT_EQ on terms shows them as Erlang prints them, not as bytes.
TEST(Term, TestFailuresPrintTermsLikeErlang) {
  EXPECT_EQ(::testing::PrintToString(tuple(atom("ok"), integer(5))), "{ok,5}");
  EXPECT_EQ(::testing::PrintToString(Pid{7}), "<0.7.0>");
  EXPECT_EQ(::testing::PrintToString(Ref{3}), "#Ref<0.0.0.3>");
  std::ostringstream os;
  os << list(atom("a"), str("b"));
  EXPECT_EQ(os.str(), "[a,\"b\"]");
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

// The compact representation (16 bytes; short atoms in place, the rest in a shared block)
// must not show through: values, order and printing are the same either way.
TEST(Term, InlineAndBoxedAtomsAreTheSameAtoms) {
  std::string at_limit(14, 'a'), over(15, 'a');
  EXPECT_EQ(atom(at_limit).text(), at_limit);
  EXPECT_EQ(atom(over).text(), over);
  EXPECT_LT(atom(at_limit), atom(over));  // a prefix sorts first, across the two forms
  EXPECT_TRUE(atom("dispatcher_down").is_atom("dispatcher_down"));
  EXPECT_FALSE(atom("dispatcher_down").is_atom("dispatcher_dow"));
  EXPECT_EQ(atom(""), atom(""));
  EXPECT_EQ(atom("").to_string(), "''");
  EXPECT_NE(atom("abc"), str("abc"));
}

TEST(Term, CopiesShareAndOutliveTheOriginal) {
  Term copy;
  {
    Term t = tuple(atom("job"), Pid{3}, list(integer(1), str("two"), atom("a_rather_long_atom_name")));
    copy = t;
    Term moved = std::move(t);
    EXPECT_EQ(moved, copy);
    EXPECT_EQ(t.size(), 0u);  // a moved-from tuple is empty, not dangling
  }
  EXPECT_EQ(copy.to_string(), "{job,<0.3.0>,[1,\"two\",a_rather_long_atom_name]}");
  Term a = integer(-7), b = copy;
  a = b;  // a scalar overwritten by a shared block
  b = integer(1);
  EXPECT_EQ(a, copy);
  Term& same = a;
  a = same;  // self-assignment keeps the value
  EXPECT_EQ(a, copy);
  EXPECT_EQ(integer(INT64_MIN).integer_value(), INT64_MIN);
  EXPECT_EQ(Term(Pid{UINT64_MAX >> 1}).pid().id, UINT64_MAX >> 1);
}

TEST(Term, BuiltFromAVectorOrInPlaceIsTheSame) {
  std::vector<Term> items{atom("a"), integer(2)};
  EXPECT_EQ(Term::tuple(items), tuple(atom("a"), integer(2)));
  EXPECT_EQ(Term::list(items), list(atom("a"), integer(2)));
  EXPECT_NE(Term::tuple(items), Term::list(items));
  EXPECT_EQ(tuple().to_string(), "{}");
}

// setelement: a tuple nobody else holds is updated in place; a shared one is copied, so the
// other holder never sees the change (terms are values).
TEST(Term, WithElementKeepsValueSemantics) {
  Term t = tuple(atom("a"), integer(1), integer(2));
  const Term* first = &t.items()[0];
  t = std::move(t).with_element(2, integer(3));
  EXPECT_EQ(t, tuple(atom("a"), integer(1), integer(3)));
  EXPECT_EQ(&t.items()[0], first);  // the only holder: same block

  Term shared = t;
  Term changed = std::move(t).with_element(0, atom("b"));
  EXPECT_EQ(shared, tuple(atom("a"), integer(1), integer(3)));
  EXPECT_EQ(changed, tuple(atom("b"), integer(1), integer(3)));
  EXPECT_NE(&changed.items()[0], &shared.items()[0]);

  EXPECT_THROW((void)Term(shared).with_element(3, integer(0)), std::out_of_range);
  EXPECT_THROW((void)integer(1).with_element(0, integer(0)), std::out_of_range);
}

// Printing, comparing and freeing a term recurse once per level: a term nests at most
// Term::kMaxDepth deep, and one level more is a clear system_limit, never a stack overflow.
TEST(Term, NestingIsBoundedAndTheBoundIsAClearError) {
  Term t = atom("x");
  for (unsigned i = 0; i < Term::kMaxDepth; ++i) t = tuple(std::move(t));  // kMaxDepth levels
  Term same = t;
  EXPECT_EQ(t, same);
  EXPECT_EQ(t.to_string().size(), 1 + 2 * size_t{Term::kMaxDepth});
  try {
    (void)tuple(t);
    FAIL() << "one level more was accepted";
  } catch (const Exit& e) {
    EXPECT_TRUE(e.reason().is_tuple(2) && e.reason()[0].is_atom("system_limit")) << e.what();
  }
  EXPECT_THROW((void)Term::list({t}), Exit);
  EXPECT_THROW((void)list(t), Exit);
  // setelement/3 in place: the tuple is left as it was.
  Term holder = tuple(atom("a"), atom("b"));
  EXPECT_THROW((void)std::move(holder).with_element(1, t), Exit);
  EXPECT_EQ(holder.to_string(), "{a,b}");
  // Replacing the deepest element makes the tuple shallower again: it nests under a new level.
  Term shallow = std::move(same).with_element(0, atom("y"));
  EXPECT_EQ(shallow.to_string(), "{y}");
  EXPECT_NO_THROW((void)tuple(shallow));
}

// A value asked of the wrong kind of term is an error naming the term (Erlang: badarg), never
// the bytes of something else read as a number.
TEST(Term, ValueOfTheWrongKindIsAClearError) {
  EXPECT_EQ(integer(-7).integer_value(), -7);
  EXPECT_EQ(Term(Pid{9}).pid(), Pid{9});
  EXPECT_EQ(Term(Ref{4}).ref(), Ref{4});
  try {
    (void)atom("abc").integer_value();
    FAIL() << "an atom read as an integer";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "abc is not an integer");
  }
  EXPECT_THROW((void)integer(3).pid(), std::invalid_argument);
  EXPECT_THROW((void)Term(Pid{1}).ref(), std::invalid_argument);
  EXPECT_THROW((void)tuple(atom("ok"), integer(1)).integer_value(), std::invalid_argument);
}

// Control characters in quoted atoms and strings print as io_lib writes them (measured on
// OTP 25: list_to_atom([97,0,98,1,10,9,13,27,127,8,12,11]) prints 'a\000b\001\n\t\r\e\d\b\f\v').
TEST(Term, ControlCharactersPrintAsErlangEscapesThem) {
  const char raw[] = {'a', 0, 'b', 1, 10, 9, 13, 27, 127, 8, 12, 11};
  EXPECT_EQ(atom(std::string_view(raw, sizeof raw)).to_string(), "'a\\000b\\001\\n\\t\\r\\e\\d\\b\\f\\v'");
  EXPECT_EQ(str(std::string_view(raw, 3)).to_string(), "\"a\\000b\"");
}

// An atom holds at most 255 characters, as on the BEAM (list_to_atom of 256: system_limit).
TEST(Term, AtomsHoldAtMost255Characters) {
  EXPECT_EQ(atom(std::string(255, 'a')).text().size(), 255u);
  EXPECT_THROW((void)atom(std::string(256, 'a')), Exit);
  std::string wide;
  for (int i = 0; i < 255; ++i) wide += "\xC3\xA9";  // 255 two-byte characters
  EXPECT_EQ(atom(wide).text().size(), 510u);
  EXPECT_THROW((void)atom(wide + "\xC3\xA9"), Exit);
  EXPECT_EQ(str(std::string(256, 'a')).text().size(), 256u);  // strings are not atoms
}
