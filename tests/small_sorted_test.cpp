// SmallSorted (a process's links, monitors and aliases) against std::set / std::map: the same
// answers and the same order after any sequence of inserts, assigns and erases, across its
// moves into a tree and back in place. The order is what exit signals go out in (S3, S4).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include <otpsim/core/kernel/term.hpp>
#include <otpsim/core/memory/small_sorted.hpp>

using namespace otp;

namespace {

// One operation (kind, key, value): kind 0 insert, 1 insert_or_assign, 2 erase by key, 3 erase
// through find. Keys from a small range, so they collide and the container crosses its
// in-place limit both ways.
using Op = std::tuple<uint8_t, uint8_t, uint8_t>;

template <size_t N>
void same_as_map(const std::vector<Op>& ops) {
  SmallSorted<KeyValue<Ref, Pid>, N> small;
  std::map<uint64_t, uint64_t> model;
  for (const auto& [kind, key, value] : ops) {
    Ref k{key % 12u};
    Pid v{value};
    switch (kind % 4) {
      case 0:
        RC_ASSERT(small.insert({k, v}) == model.emplace(k.id, v.id).second);
        break;
      case 1:
        small.insert_or_assign({k, v});
        model[k.id] = v.id;
        break;
      case 2:
        RC_ASSERT(small.erase(k) == model.erase(k.id));
        break;
      default: {
        auto it = small.find(k);
        RC_ASSERT((it != small.end()) == model.contains(k.id));
        if (it != small.end()) {
          RC_ASSERT(it->value.id == model[k.id]);
          small.erase(it);
          model.erase(k.id);
        }
      }
    }
    RC_ASSERT(small.size() == model.size());
    RC_ASSERT(small.empty() == model.empty());
    using Entries = std::vector<std::pair<uint64_t, uint64_t>>;
    Entries seen;
    for (const auto& [ref, pid] : small) seen.emplace_back(ref.id, pid.id);
    RC_ASSERT(seen == Entries(model.begin(), model.end()));
  }
}

}  // namespace

RC_GTEST_PROP(SmallSorted, MapAgreesWithStdMapInPlaceAndInATree, (std::vector<Op> ops)) {  // S3 S4
  same_as_map<1>(ops);
  same_as_map<2>(ops);
  same_as_map<4>(ops);
}

RC_GTEST_PROP(SmallSorted, SetAgreesWithStdSet, (std::vector<std::pair<bool, uint8_t>> ops)) {  // S3
  SmallSorted<Pid, 4> small;
  std::set<uint64_t> model;
  for (const auto& [add, key] : ops) {
    Pid p{key % 10u};
    if (add)
      RC_ASSERT(small.insert(p) == model.insert(p.id).second);
    else
      RC_ASSERT(small.erase(p) == model.erase(p.id));
    RC_ASSERT(small.contains(p) == model.contains(p.id));
    std::vector<uint64_t> seen;
    for (Pid q : small) seen.push_back(q.id);
    RC_ASSERT(seen == std::vector<uint64_t>(model.begin(), model.end()));
  }
}

// Past N the entries go to a tree, and back in place once it empties: what a supervisor whose
// children all exit holds afterwards is the in-place array, not an empty tree.
TEST(SmallSorted, SpillsPastNAndComesBackInPlace) {
  SmallSorted<Pid, 2> s;
  for (uint64_t i = 5; i >= 1; --i) EXPECT_TRUE(s.insert(Pid{i}));
  EXPECT_FALSE(s.insert(Pid{3}));
  EXPECT_EQ(s.size(), 5u);
  uint64_t want = 1;
  for (Pid p : s) EXPECT_EQ(p.id, want++);
  for (uint64_t i = 1; i <= 5; ++i) EXPECT_EQ(s.erase(Pid{i}), 1u);
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.insert(Pid{9}));
  EXPECT_TRUE(s.insert(Pid{8}));
  EXPECT_EQ(s.begin()->id, 8u);
}
