// The shrinker behind `otpsim shrink`: it keeps only changes that still fail and
// ends at a local minimum — here the known smallest failing list.
#include <gtest/gtest.h>

#include <otpsim/sim/shrink.hpp>

using otp::sim::shrink_choices;

TEST(Shrink, FindsTheSmallestFailingList) {
  // Fails when some value >= 10 appears after a 3.
  auto fails = [](const std::vector<uint32_t>& v) {
    bool seen3 = false;
    for (uint32_t x : v) {
      if (seen3 && x >= 10) return true;
      seen3 = seen3 || x == 3;
    }
    return false;
  };
  std::vector<uint32_t> start{5, 9, 3, 8, 1, 0, 44, 2, 77, 3, 3};
  ASSERT_TRUE(fails(start));
  auto r = shrink_choices(start, fails);
  EXPECT_EQ(r.choices, (std::vector<uint32_t>{3, 10}));
  EXPECT_TRUE(fails(r.choices));
}

TEST(Shrink, NeverReturnsAPassingList) {
  auto fails = [](const std::vector<uint32_t>& v) { return v.size() >= 4 && v[3] % 2 == 1; };
  auto r = shrink_choices({8, 8, 8, 9, 8}, fails);
  EXPECT_TRUE(fails(r.choices));
  EXPECT_EQ(r.choices, (std::vector<uint32_t>{0, 0, 0, 1}));
}
