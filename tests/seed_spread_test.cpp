// The seed-sensitivity check behind `otpsim check` (S91's converse: different seeds must be
// able to give different schedules).
#include <gtest/gtest.h>

#include <otpsim/sim/draws.hpp>
#include <otpsim/sim/seed_spread.hpp>

using otp::sim::SeedSpread;

TEST(SeedSpread, SameChoicesOnEverySeedAreReported) {  // S91
  SeedSpread s;
  for (int i = 0; i < 30; ++i) s.add({1, 0, 2});
  ASSERT_TRUE(s.verdict().has_value());
  EXPECT_NE(s.verdict()->find("30 seeds"), std::string::npos) << *s.verdict();
}

TEST(SeedSpread, FewSeedsOrNoChoicesOrDifferentChoicesPass) {  // S91
  SeedSpread few, none, varied;
  for (int i = 0; i < 5; ++i) few.add({1});
  for (int i = 0; i < 50; ++i) none.add({});
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    otp::sim::Draws d(seed);
    varied.add({d.below(2)});
  }
  EXPECT_FALSE(few.verdict().has_value());
  EXPECT_FALSE(none.verdict().has_value());
  EXPECT_FALSE(varied.verdict().has_value());
}
