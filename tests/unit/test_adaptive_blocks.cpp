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

using mpimr::detail::adaptive_range;
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

/// Records one call over `range`'s bounds at these speeds (chunks per second by rank).
void run_call(adaptive_range& range, const std::vector<double>& speed) {
  range.record(seconds_at(range.bounds(), speed));
}

TEST(AdaptiveRange, StartsStaticAndTheFirstCallMovesNothing) {
  adaptive_range range(120, 2);
  EXPECT_EQ(range.bounds(), even_block_bounds(120, 2));
  // The first call's times include its warm-up: even a rank 3x slower moves nothing yet.
  run_call(range, {25, 75});
  EXPECT_EQ(range.bounds(), (bounds_t{0, 60, 120}));
  // The second call is the first measurement, taken alone: half way from 1/2 toward 1/4.
  run_call(range, {25, 75});
  EXPECT_EQ(range.bounds(), (bounds_t{0, 45, 120}));
}

TEST(AdaptiveRange, OneSlowCallAmongSteadyOnesMovesNothing) {
  adaptive_range range(1000, 3);
  for (int call = 0; call < 3; ++call) run_call(range, {10, 10, 10});
  const bounds_t steady = range.bounds();
  EXPECT_EQ(steady, even_block_bounds(1000, 3));
  run_call(range, {10, 6, 10});  // rank 1 interrupted for one call: the median of three ignores it
  EXPECT_EQ(range.bounds(), steady);
  run_call(range, {10, 10, 10});
  EXPECT_EQ(range.bounds(), steady);
}

TEST(AdaptiveRange, ALastingChangeIsFollowedAndSettled) {
  adaptive_range range(3000, 2);
  for (int call = 0; call < 4; ++call) run_call(range, {5, 5});
  EXPECT_EQ(range.bounds(), (bounds_t{0, 1500, 3000}));
  // Rank 0 becomes twice as fast. The first such call is outvoted by the two before it; from the
  // second on the median is the new speed (the mean of two once the outvoted call is older).
  run_call(range, {10, 5});
  EXPECT_EQ(range.bounds(), (bounds_t{0, 1500, 3000}));
  run_call(range, {10, 5});
  EXPECT_GT(range.bounds()[1], 1500U);
  for (int call = 0; call < 30; ++call) run_call(range, {10, 5});
  EXPECT_NEAR(static_cast<double>(range.bounds()[1]), 2000.0, 1.0);
}

TEST(AdaptiveRange, TimesOfAnotherRankCountChangeNothing) {
  adaptive_range range(90, 3);
  for (int call = 0; call < 4; ++call) range.record(std::vector<double>{1, 9});
  EXPECT_EQ(range.bounds(), even_block_bounds(90, 3));
  // Nor does a rank without a usable time: it counts at the others' mean speed.
  for (int call = 0; call < 4; ++call) range.record(std::vector<double>{3, 0, 3});
  EXPECT_EQ(range.bounds(), even_block_bounds(90, 3));
}

}  // namespace
