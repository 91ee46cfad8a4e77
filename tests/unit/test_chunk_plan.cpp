// Unit tests of chunk planning: chunks tile the range exactly, sizes follow the request or the
// automatic target, bad input is rejected by name, and ranges up to 2^64-1 do not overflow.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "mpimr/detail/chunk_plan.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/index_range.hpp"
#include "unit_support.hpp"

namespace {

using mpimr::index_range;
using mpimr::detail::chunk_plan;
using mpimr::detail::make_chunk_plan;

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t two_pow_63 = std::uint64_t{1} << 63U;

// Checks every chunk of `plan`: ids in order, contiguous, exactly covering the range, each
// non-empty, each at most chunk_size, all but the last exactly chunk_size.
void expect_exact_tiling(const chunk_plan& plan, index_range range) {
  ASSERT_EQ(plan.range.begin, range.begin);
  ASSERT_EQ(plan.range.end, range.end);
  ASSERT_GE(plan.chunk_size, 1U);
  if (range.begin == range.end) {
    EXPECT_EQ(plan.chunk_count, 0U);
    return;
  }
  ASSERT_GE(plan.chunk_count, 1U);
  std::uint64_t expected_begin = range.begin;
  for (std::uint64_t id = 0; id < plan.chunk_count; ++id) {
    const mpimr::chunk c = plan.at(id);
    ASSERT_EQ(c.id, id);
    ASSERT_EQ(c.begin, expected_begin) << "chunk " << id << " is not contiguous with the previous";
    ASSERT_GT(c.end, c.begin) << "chunk " << id << " is empty";
    ASSERT_LE(c.end - c.begin, plan.chunk_size) << "chunk " << id;
    ASSERT_EQ(c.size(), c.end - c.begin);
    if (id + 1 < plan.chunk_count) {
      ASSERT_EQ(c.end - c.begin, plan.chunk_size) << "chunk " << id << " is not the last but short";
    }
    expected_begin = c.end;
  }
  EXPECT_EQ(expected_begin, range.end) << "chunks do not reach the end of the range";
}

// For plans too big to walk: the first and last few chunks plus random samples, each checked
// against its neighbours, and the closed form begin = range.begin + id * chunk_size.
void expect_sampled_tiling(const chunk_plan& plan, index_range range, std::uint32_t seed) {
  ASSERT_GE(plan.chunk_count, 1U);
  const std::uint64_t n = range.end - range.begin;
  std::vector<std::uint64_t> ids;
  for (std::uint64_t k = 0; k < 4 && k < plan.chunk_count; ++k) {
    ids.push_back(k);
    ids.push_back(plan.chunk_count - 1 - k);
  }
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<std::uint64_t> pick(0, plan.chunk_count - 1);
  for (int k = 0; k < 200; ++k) ids.push_back(pick(gen));

  for (const std::uint64_t id : ids) {
    const mpimr::chunk c = plan.at(id);
    ASSERT_EQ(c.id, id);
    // id * chunk_size < n here, so the closed form cannot overflow.
    ASSERT_EQ(c.begin - range.begin, id * plan.chunk_size) << "chunk " << id;
    ASSERT_GT(c.end, c.begin) << "chunk " << id;
    ASSERT_LE(c.end - c.begin, plan.chunk_size) << "chunk " << id;
    if (id + 1 < plan.chunk_count) {
      ASSERT_EQ(c.end - c.begin, plan.chunk_size) << "chunk " << id;
      ASSERT_EQ(plan.at(id + 1).begin, c.end) << "chunk " << id;
    } else {
      ASSERT_EQ(c.end, range.end);
      // The last chunk holds what the full chunks leave over.
      ASSERT_EQ(c.end - c.begin, n - id * plan.chunk_size);
    }
    if (id > 0) {
      ASSERT_EQ(plan.at(id - 1).end, c.begin) << "chunk " << id;
    }
  }
  EXPECT_EQ(plan.at(0).begin, range.begin);
  EXPECT_EQ(plan.at(plan.chunk_count - 1).end, range.end);
}

TEST(ChunkPlan, ExplicitChunkSizeTilesExactly) {
  const std::vector<std::uint64_t> sizes = {0, 1, 2, 3, 7, 10, 63, 64, 65, 100, 1000, 16385};
  const std::vector<std::uint64_t> begins = {0, 1, 17, u64_max - 20000};
  const std::vector<std::uint64_t> chunk_sizes = {1, 2, 3, 7, 10, 64, 999, 1000, 1001, 5000};
  for (const std::uint64_t begin : begins) {
    for (const std::uint64_t n : sizes) {
      for (const std::uint64_t cs : chunk_sizes) {
        SCOPED_TRACE("begin " + std::to_string(begin) + " size " + std::to_string(n) +
                     " chunk_size " + std::to_string(cs));
        const index_range range{begin, begin + n};
        const chunk_plan plan = make_chunk_plan(range, cs);
        EXPECT_EQ(plan.chunk_size, cs);
        // Closed form, written without the (n + cs - 1) overflow trap.
        const std::uint64_t expected_count = n / cs + (n % cs == 0 ? 0 : 1);
        EXPECT_EQ(plan.chunk_count, expected_count);
        expect_exact_tiling(plan, range);
      }
    }
  }
}

TEST(ChunkPlan, ChunkSizeEqualToOrAboveRangeGivesOneChunk) {
  for (const std::uint64_t n : {1ULL, 2ULL, 1000ULL}) {
    for (const std::uint64_t cs : {n, n + 1, n * 1000, two_pow_63 - 1}) {
      const chunk_plan plan = make_chunk_plan({5, 5 + n}, cs);
      ASSERT_EQ(plan.chunk_count, 1U) << "n " << n << " cs " << cs;
      EXPECT_EQ(plan.at(0).begin, 5U);
      EXPECT_EQ(plan.at(0).end, 5 + n);
    }
  }
}

TEST(ChunkPlan, AutomaticChunkSizeBoundsChunkCount) {
  const std::vector<std::uint64_t> sizes = {0,     1,     7,          16383,  16384,
                                            16385, 32769, 1000000000, u64_max};
  for (const std::uint64_t n : sizes) {
    for (const std::uint64_t begin : {std::uint64_t{0}, u64_max - n}) {
      SCOPED_TRACE("begin " + std::to_string(begin) + " size " + std::to_string(n));
      const index_range range{begin, begin + n};
      const chunk_plan plan = make_chunk_plan(range, 0);
      EXPECT_GE(plan.chunk_size, 1U);
      EXPECT_LE(plan.chunk_count, mpimr::detail::automatic_chunk_target);
      EXPECT_LE(plan.chunk_count, 16384U);
      if (n == 0) {
        EXPECT_EQ(plan.chunk_count, 0U);
      } else {
        EXPECT_GE(plan.chunk_count, 1U);
        // At least one index per chunk: never more chunks than indices.
        EXPECT_LE(plan.chunk_count, n);
        // "Aims at about 16384": small ranges get one index per chunk, large ones at least half the
        // target (a chunk size one smaller would already exceed it).
        if (n <= 16384) {
          EXPECT_EQ(plan.chunk_size, 1U);
          EXPECT_EQ(plan.chunk_count, n);
        } else {
          EXPECT_GE(plan.chunk_count, 8192U);
          const std::uint64_t smaller = plan.chunk_size - 1;
          EXPECT_GT(n / smaller + (n % smaller == 0 ? 0 : 1), 16384U);
        }
      }
      expect_exact_tiling(plan, range);
    }
  }
}

TEST(ChunkPlan, AutomaticChunkSizeClosedForms) {
  // ceil(10^9 / 16384) = 61036; ceil(10^9 / 61036) = 16384.
  const chunk_plan billion = make_chunk_plan({0, 1000000000}, 0);
  EXPECT_EQ(billion.chunk_size, 61036U);
  EXPECT_EQ(billion.chunk_count, 16384U);
  // ceil((2^64 - 1) / 2^14) = 2^50; ceil((2^64 - 1) / 2^50) = 2^14.
  const chunk_plan all = make_chunk_plan({0, u64_max}, 0);
  EXPECT_EQ(all.chunk_size, std::uint64_t{1} << 50U);
  EXPECT_EQ(all.chunk_count, 16384U);
  EXPECT_EQ(all.at(16383).begin, 16383 * (std::uint64_t{1} << 50U));
  EXPECT_EQ(all.at(16383).end, u64_max);
  // 16385 indices: chunk size 2, so 8192 full chunks and one single index.
  const chunk_plan just_over = make_chunk_plan({0, 16385}, 0);
  EXPECT_EQ(just_over.chunk_size, 2U);
  EXPECT_EQ(just_over.chunk_count, 8193U);
  EXPECT_EQ(just_over.at(8192).size(), 1U);
}

TEST(ChunkPlan, EmptyRangeHasNoChunks) {
  for (const std::uint64_t at : {std::uint64_t{0}, std::uint64_t{42}, u64_max}) {
    for (const std::uint64_t cs : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000}}) {
      const chunk_plan plan = make_chunk_plan({at, at}, cs);
      EXPECT_EQ(plan.chunk_count, 0U) << "at " << at << " cs " << cs;
      EXPECT_GE(plan.chunk_size, 1U);
    }
  }
}

TEST(ChunkPlan, BeginAfterEndThrowsNamingBothBounds) {
  const std::vector<index_range> bad = {{1, 0}, {1000, 999}, {u64_max, 0}, {123456789, 12345}};
  for (const index_range range : bad) {
    for (const std::uint64_t cs : {std::uint64_t{0}, std::uint64_t{7}}) {
      try {
        (void)make_chunk_plan(range, cs);
        ADD_FAILURE() << "no exception for begin " << range.begin << " end " << range.end;
      } catch (const mpimr::invalid_argument& e) {
        EXPECT_TRUE(mpimr_test::contains(e.what(), std::to_string(range.begin)));
        EXPECT_TRUE(mpimr_test::contains(e.what(), std::to_string(range.end)));
      }
    }
  }
  // It is an mpimr::error too, so callers can catch the whole family.
  EXPECT_THROW((void)make_chunk_plan({2, 1}, 1), mpimr::error);
}

TEST(ChunkPlan, HugeChunkSizeThrows) {
  for (const std::uint64_t cs :
       {two_pow_63 + 1, u64_max, u64_max - 6, static_cast<std::uint64_t>(std::int64_t{-1}),
        static_cast<std::uint64_t>(std::int64_t{-1000})}) {
    try {
      (void)make_chunk_plan({0, 100}, cs);
      ADD_FAILURE() << "no exception for chunk_size " << cs;
    } catch (const mpimr::invalid_argument& e) {
      EXPECT_TRUE(mpimr_test::contains(e.what(), std::to_string(cs)));
    }
  }
  // The largest signed value is still a legitimate (if silly) size.
  const chunk_plan plan = make_chunk_plan({0, u64_max}, two_pow_63 - 1);
  EXPECT_EQ(plan.chunk_count, 3U);  // 2^64 - 1 = 2 * (2^63 - 1) + 1
  expect_exact_tiling(plan, {0, u64_max});
}

TEST(ChunkPlan, HugeRangesDoNotOverflow) {
  const std::vector<index_range> ranges = {
      {0, u64_max},           {1, u64_max},          {u64_max - 1000000000000ULL, u64_max},
      {u64_max - 1, u64_max}, {two_pow_63, u64_max}, {two_pow_63 - 5, two_pow_63 + 5},
  };
  const std::vector<std::uint64_t> chunk_sizes = {
      1, 2, 3, 7, 1000003, (1ULL << 40U) + 1, two_pow_63 - 1};
  std::uint32_t seed = 1;
  for (const index_range range : ranges) {
    for (const std::uint64_t cs : chunk_sizes) {
      SCOPED_TRACE("range [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                   ") chunk_size " + std::to_string(cs));
      const chunk_plan plan = make_chunk_plan(range, cs);
      const std::uint64_t n = range.end - range.begin;
      EXPECT_EQ(plan.chunk_count, n / cs + (n % cs == 0 ? 0 : 1));
      EXPECT_EQ(plan.at(plan.chunk_count - 1).end, range.end);
      expect_sampled_tiling(plan, range, seed++);
    }
  }
}

TEST(ChunkPlan, FingerprintDependsOnRangeAndChunkSize) {
  const chunk_plan a = make_chunk_plan({0, 1000}, 10);
  EXPECT_EQ(a.fingerprint(), make_chunk_plan({0, 1000}, 10).fingerprint());
  EXPECT_NE(a.fingerprint(), make_chunk_plan({0, 1000}, 11).fingerprint());
  EXPECT_NE(a.fingerprint(), make_chunk_plan({1, 1000}, 10).fingerprint());
  EXPECT_NE(a.fingerprint(), make_chunk_plan({0, 1001}, 10).fingerprint());
}

TEST(Chunk, IndicesIterateBeginToEndMinusOne) {
  const std::vector<mpimr::chunk> chunks = {
      {0, 0, 0}, {1, 0, 1}, {2, 5, 12}, {3, 1000, 1037}, {4, u64_max - 3, u64_max}, {5, 9, 9}};
  for (const mpimr::chunk c : chunks) {
    std::vector<std::uint64_t> expected;
    for (std::uint64_t i = c.begin; i != c.end; ++i) expected.push_back(i);
    std::vector<std::uint64_t> seen;
    for (const auto i : c.indices()) seen.push_back(i);
    EXPECT_EQ(seen, expected) << "chunk [" << c.begin << ", " << c.end << ")";
    EXPECT_EQ(c.size(), expected.size());
  }
}

TEST(Chunk, IndicesOfEveryPlannedChunkConcatenateToTheRange) {
  const index_range range{3, 3 + 1000};
  const chunk_plan plan = make_chunk_plan(range, 37);
  std::uint64_t next = range.begin;
  for (std::uint64_t id = 0; id < plan.chunk_count; ++id) {
    for (const auto i : plan.at(id).indices()) {
      ASSERT_EQ(i, next);
      ++next;
    }
  }
  EXPECT_EQ(next, range.end);
}

}  // namespace
