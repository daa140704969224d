// What otpsim writes of a program's bytes (a term's printed form, a trace line, a page) must be
// valid UTF-8 whatever the bytes were, and cutting a long name must never split a character.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include <otpsim/core/kernel/utf8.hpp>

using namespace otp;

namespace {

// Every byte below 0x80 as it is, every stray byte as '?': what is left must decode whole.
std::string passed_through(const std::string& s) {
  std::string out;
  utf8::append_escaped(
      out, s, [](std::string& o, char c) { o += c; }, [](std::string& o, unsigned char) { o += '?'; });
  return out;
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
    } else if (size_t n = utf8::sequence_at(s, i)) {
      i += n;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST(Utf8, WellFormedCharactersPassAndEveryOtherHighByteIsStray) {
  EXPECT_EQ(passed_through("a\xC3\xA9z"), "a\xC3\xA9z");                          // é
  EXPECT_EQ(passed_through("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");              // U+1F600
  EXPECT_EQ(passed_through("\xFF"), "?");                                        // never a lead byte
  EXPECT_EQ(passed_through("\xC0\x80"), "??");                                   // overlong NUL
  EXPECT_EQ(passed_through("\xED\xA0\x80"), "???");                              // a surrogate
  EXPECT_EQ(passed_through("\xF4\x90\x80\x80"), "????");                         // past U+10FFFF
  EXPECT_EQ(passed_through("\xE2\x82"), "??");                                   // cut short
  EXPECT_EQ(passed_through("\x80x"), "?x");                                      // a lone continuation
}

TEST(Utf8, CutPointsFallBetweenCharacters) {
  const std::string s = "ab\xE2\x82\xAC" "cd";  // "ab€cd": € is bytes 2..4
  EXPECT_EQ(utf8::cut_point(s, 3), 2u);
  EXPECT_EQ(utf8::cut_point(s, 4), 2u);
  EXPECT_EQ(utf8::cut_point(s, 5), 5u);
  EXPECT_EQ(utf8::cut_point(s, 99), s.size());
  EXPECT_EQ(utf8::cut_point_forward(s, 3), 5u);
  EXPECT_EQ(utf8::cut_point_forward(s, 2), 2u);
  EXPECT_EQ(utf8::cut_point_forward(s, 99), s.size());
}

RC_GTEST_PROP(Utf8, AnyBytesComeOutValid, (const std::vector<unsigned char>& bytes)) {
  const std::string s(bytes.begin(), bytes.end());
  RC_ASSERT(valid_utf8(passed_through(s)));
  if (valid_utf8(s)) RC_ASSERT(passed_through(s) == s);  // valid text is never touched
}

RC_GTEST_PROP(Utf8, CutsOfValidTextStayValid, (const std::vector<unsigned char>& bytes, size_t at)) {
  const std::string s = passed_through(std::string(bytes.begin(), bytes.end()));
  const size_t n = s.empty() ? 0 : at % (s.size() + 1);
  RC_ASSERT(valid_utf8(s.substr(0, utf8::cut_point(s, n))));
  RC_ASSERT(valid_utf8(s.substr(utf8::cut_point_forward(s, n))));
}
