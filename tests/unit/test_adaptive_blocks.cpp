// The adaptive schedule's bounds: where they start, how they move, and that they always cover every
// chunk once, in rank order.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <mpimr/detail/adaptive_blocks.hpp>
#include <mpimr/detail/chunk_plan.hpp>
#include <random>
#include <vector>

namespace {

using mpimr::detail::even_block_bounds;
using mpimr::detail::rebalanced_bounds;
using bounds_t = std::vector<std::uint64_t>;

/// Seconds each rank takes for its block when rank r runs `speed[r]` chunks per second.
std::vector<double> seconds_at(const bounds_t& b, const std::vector<double>& speed) {
  std::vector<double> out;
  for (std::size_t r = 0; r + 1 < b.size(); ++r) {
    out.push_back(static_cast<double>(b[r + 1] - b[r]) / speed[r]);
  }
  return out;
}

void expect_cover(const bounds_t& b, std::uint64_t count) {
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), 0U);
  EXPECT_EQ(b.back(), count);
  for (std::size_t r = 1; r < b.size(); ++r) EXPECT_LE(b[r - 1], b[r]) << "bound " << r;
}

TEST(AdaptiveBlocks, StartAsTheStaticBlocks) {
  for (const int ranks : {1, 2, 3, 7}) {
    for (const std::uint64_t count : {0ULL, 1ULL, 5ULL, 103ULL, 1ULL << 40}) {
      const bounds_t b = even_block_bounds(count, ranks);
      ASSERT_EQ(b.size(), static_cast<std::size_t>(ranks) + 1);
      for (int r = 0; r <= ranks; ++r) {
        EXPECT_EQ(b[static_cast<std::size_t>(r)],
                  mpimr::detail::static_block_start(count, r, ranks));
      }
      expect_cover(b, count);
    }
  }
}

TEST(AdaptiveBlocks, EqualSpeedsLeaveTheBoundsAlone) {
  const bounds_t b = even_block_bounds(1000, 4);
  EXPECT_EQ(rebalanced_bounds(b, seconds_at(b, {3, 3, 3, 3})), b);
}

TEST(AdaptiveBlocks, MoveHalfWayTowardSharesBySpeed) {
  // Rank 0 does 25 chunks/s, rank 1 50: by speed rank 0's share is 1/3, half way from 1/2 is 5/12
  // of 120 chunks = 50.
  EXPECT_EQ(rebalanced_bounds(bounds_t{0, 60, 120}, std::vector<double>{60.0 / 25, 60.0 / 50}),
            (bounds_t{0, 50, 120}));
  // Three ranks at 1, 1 and 2 chunks/s from 40/40/40: shares by speed 1/4, 1/4, 1/2; half way
  // from 1/3: 7/24 each for the first two, 35 chunks each.
  EXPECT_EQ(rebalanced_bounds(bounds_t{0, 40, 80, 120}, std::vector<double>{40, 40, 20}),
            (bounds_t{0, 35, 70, 120}));
}

TEST(AdaptiveBlocks, RepeatedCallsSettleOnTheSpeeds) {
  const std::vector<double> speed{1, 2, 3, 2};  // total 8
  bounds_t b = even_block_bounds(8000, 4);
  for (int call = 0; call < 30; ++call) b = rebalanced_bounds(b, seconds_at(b, speed));
  const bounds_t expected{0, 1000, 3000, 6000, 8000};
  for (std::size_t r = 0; r < b.size(); ++r) {
    EXPECT_NEAR(static_cast<double>(b[r]), static_cast<double>(expected[r]), 1.0) << r;
  }
}

TEST(AdaptiveBlocks, EveryRankKeepsAChunkWhileThereAreEnough) {
  bounds_t b{0, 2, 4, 6};
  for (int call = 0; call < 20; ++call) b = rebalanced_bounds(b, seconds_at(b, {1e-9, 1, 1e-9}));
  EXPECT_EQ(b, (bounds_t{0, 1, 5, 6}));
  // Fewer chunks than ranks: some ranks hold none, and nothing breaks.
  const bounds_t few{0, 0, 1, 2};
  const bounds_t moved = rebalanced_bounds(few, std::vector<double>{0, 1, 1});
  expect_cover(moved, 2);
}

TEST(AdaptiveBlocks, RanksWithoutAMeasurementCountAtTheOthersMeanSpeed) {
  const bounds_t b{0, 50, 100, 150};
  // Rank 1 measured nothing (0 s): it counts at the mean speed of ranks 0 and 2, so equal speeds
  // everywhere and nothing moves. Without any measurement nothing moves either.
  EXPECT_EQ(rebalanced_bounds(b, std::vector<double>{2, 0, 2}), b);
  EXPECT_EQ(rebalanced_bounds(b, std::vector<double>{0, 0, 0}), b);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(rebalanced_bounds(b, std::vector<double>{nan, 2, inf}), b);
  // A mismatch between bounds and times, or one rank: unchanged.
  EXPECT_EQ(rebalanced_bounds(b, std::vector<double>{1, 2}), b);
  EXPECT_EQ(rebalanced_bounds(bounds_t{0, 9}, std::vector<double>{3}), (bounds_t{0, 9}));
}

TEST(AdaptiveBlocks, AnyTimesGiveContiguousBoundsOverEveryChunk) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> time(0, 5);
  for (int trial = 0; trial < 2000; ++trial) {
    const int ranks = 2 + static_cast<int>(random() % 9);
    const std::uint64_t count = random() % 50;
    bounds_t b = even_block_bounds(count, ranks);
    for (int call = 0; call < 5; ++call) {
      std::vector<double> seconds(static_cast<std::size_t>(ranks));
      for (double& s : seconds) s = random() % 4 == 0 ? 0.0 : time(random);
      b = rebalanced_bounds(b, seconds);
      expect_cover(b, count);
      if (count >= static_cast<std::uint64_t>(ranks)) {
        for (std::size_t r = 1; r < b.size(); ++r) ASSERT_GE(b[r] - b[r - 1], 1U) << trial;
      }
    }
  }
}

}  // namespace
