// Stable key hashing: published XXH3 test values, equal keys hash equally whatever their bytes'
// history, and ownership spreads keys evenly over ranks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <mpimr/detail/key_hash.hpp>
#include <string>
#include <vector>

namespace {

using mpimr::detail::owner_rank;
using mpimr::detail::stable_key_hash;

TEST(key_hash_test, MatchesPublishedXxh3Values) {
  // XXH3_64bits of the empty input with seed 0, from xxHash's own sanity checks.
  EXPECT_EQ(stable_key_hash(std::string{}), 0x2D06800538D394C2ULL);
  EXPECT_EQ(stable_key_hash(std::string_view{}), 0x2D06800538D394C2ULL);
}

TEST(key_hash_test, StringKindsAgree) {
  const std::string word = "mapreduce";
  EXPECT_EQ(stable_key_hash(word), stable_key_hash(std::string_view(word)));
  EXPECT_EQ(stable_key_hash(word), stable_key_hash(std::string("map") + "reduce"));
  EXPECT_NE(stable_key_hash(word), stable_key_hash(std::string("mapreducf")));
}

TEST(key_hash_test, NegativeZeroHashesLikeZero) {
  EXPECT_EQ(stable_key_hash(0.0), stable_key_hash(-0.0));
  EXPECT_EQ(stable_key_hash(0.0F), stable_key_hash(-0.0F));
  EXPECT_NE(stable_key_hash(1.0), stable_key_hash(-1.0));
}

struct packed_key {
  std::uint32_t a;
  std::uint32_t b;
};

TEST(key_hash_test, AggregatesWithoutPaddingHashTheirBytes) {
  EXPECT_EQ(stable_key_hash(packed_key{1, 2}), stable_key_hash(packed_key{1, 2}));
  EXPECT_NE(stable_key_hash(packed_key{1, 2}), stable_key_hash(packed_key{2, 1}));
}

TEST(key_hash_test, OwnershipIsEvenAcrossRanks) {
  for (int ranks : {1, 2, 3, 7, 64}) {
    std::map<int, int> per_rank;
    const int keys = 64000;
    for (int i = 0; i < keys; ++i) {
      const int owner =
          owner_rank(stable_key_hash(std::string("word").append(std::to_string(i))), ranks);
      ASSERT_GE(owner, 0);
      ASSERT_LT(owner, ranks);
      ++per_rank[owner];
    }
    const double expected = static_cast<double>(keys) / ranks;
    for (const auto& [rank, count] : per_rank) {
      // Binomial: within 5 standard deviations of the mean.
      EXPECT_NEAR(count, expected, 5 * std::sqrt(expected)) << "rank " << rank << " of " << ranks;
    }
  }
}

}  // namespace
