// Unit tests of chunk_rng: streams are a pure function of (seed, chunk id, stream), distinct keys
// give distinct streams, uniform() stays in [0, 1) with the right mean, and the generator plugs
// into <random>.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <set>
#include <vector>

#include "mpimr/chunk_rng.hpp"
#include "mpimr/index_range.hpp"

namespace {

using mpimr::chunk;
using mpimr::chunk_rng;

static_assert(std::uniform_random_bit_generator<chunk_rng>);
static_assert(std::same_as<chunk_rng::result_type, std::uint64_t>);
static_assert(chunk_rng::min() == 0);
static_assert(chunk_rng::max() == UINT64_MAX);

std::vector<std::uint64_t> draw(chunk_rng rng, int count) {
  std::vector<std::uint64_t> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) out.push_back(rng());
  return out;
}

using u64_list = std::initializer_list<std::uint64_t>;

TEST(ChunkRng, SameSeedAndChunkGiveSameSequence) {
  for (const std::uint64_t seed : u64_list{0, 1, 0xdeadbeef, UINT64_MAX}) {
    for (const std::uint64_t id : u64_list{0, 1, 999, UINT64_MAX - 1}) {
      const chunk c{id, 10, 20};
      EXPECT_EQ(draw(chunk_rng(seed, c), 1001), draw(chunk_rng(seed, c), 1001))
          << "seed " << seed << " chunk " << id;
    }
  }
}

TEST(ChunkRng, StreamDependsOnChunkIdNotOnBounds) {
  // The bounds of a chunk follow from its id and the plan; only the id keys the stream.
  EXPECT_EQ(draw(chunk_rng(7, chunk{5, 0, 10}), 100), draw(chunk_rng(7, chunk{5, 500, 1000}), 100));
}

TEST(ChunkRng, CopiesContinueIdentically) {
  chunk_rng a(3, chunk{4, 0, 1});
  for (int i = 0; i < 5; ++i) (void)a();  // mid-block
  chunk_rng b = a;
  EXPECT_EQ(draw(a, 50), draw(b, 50));
}

TEST(ChunkRng, DifferentKeysGiveDifferentSequences) {
  // Every (seed, chunk id, stream) among these gives its own first values.
  std::set<std::vector<std::uint64_t>> seen;
  std::set<std::uint64_t> first_values;
  int keys = 0;
  for (const std::uint64_t seed : u64_list{0, 1, 2, std::uint64_t{1} << 40U}) {
    for (const std::uint64_t id : u64_list{0, 1, 2, 3, 1000, UINT64_MAX}) {
      for (const std::uint64_t stream : u64_list{0, 1, 2, UINT64_MAX}) {
        const auto values = draw(chunk_rng(seed, chunk{id, 0, 1}, stream), 8);
        EXPECT_TRUE(seen.insert(values).second)
            << "seed " << seed << " chunk " << id << " stream " << stream << " repeats a sequence";
        first_values.insert(values[0]);
        ++keys;
      }
    }
  }
  // 96 64-bit values: a collision would be a 2^-52 event, so treat one as a keying bug.
  EXPECT_EQ(first_values.size(), static_cast<std::size_t>(keys));
}

TEST(ChunkRng, NeighbouringChunksDoNotShareShiftedSequences) {
  // Chunk k+1 must not be chunk k a few draws later (as a counter keyed by id would risk).
  const auto a = draw(chunk_rng(42, chunk{0, 0, 1}), 256);
  const auto b = draw(chunk_rng(42, chunk{1, 0, 1}), 256);
  const std::set<std::uint64_t> in_a(a.begin(), a.end());
  for (const std::uint64_t x : b) EXPECT_EQ(in_a.count(x), 0U);
}

TEST(ChunkRng, IsPhilox4x64Of10RoundsKeyedBySeedAndChunk) {
  // Random123's published known-answer vector for philox4x64-10, counter 0 and key 0. Seed 0, chunk
  // 0, stream 0 is that key and the first counter: results stay reproducible across mpimr versions.
  chunk_rng rng(0, chunk{0, 0, 0});
  EXPECT_EQ(rng(), 0x16554d9eca36314cULL);
  EXPECT_EQ(rng(), 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(rng(), 0xd7e772cee186176bULL);
  EXPECT_EQ(rng(), 0x7e68b68aec7ba23bULL);
}

TEST(ChunkRng, UniformIsTopFiftyThreeBitsInUnitInterval) {
  chunk_rng bits(9, chunk{2, 0, 1});
  chunk_rng unit(9, chunk{2, 0, 1});
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t raw = bits();
    const double u = unit.uniform();
    ASSERT_EQ(u, std::ldexp(static_cast<double>(raw >> 11U), -53)) << i;
  }
}

TEST(ChunkRng, UniformRangeAndMean) {
  constexpr int n = 1000000;
  chunk_rng rng(123, chunk{77, 0, 1});
  double sum = 0;
  double lowest = 1;
  double highest = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
  }
  const double mean = sum / n;
  const double sigma = std::sqrt(1.0 / 12.0 / n);
  EXPECT_NEAR(mean, 0.5, 5 * sigma);
  // A million draws cover the interval: gaps at the ends of more than 1e-4 are a 1e-43 event.
  EXPECT_LT(lowest, 1e-4);
  EXPECT_GT(highest, 1 - 1e-4);
}

TEST(ChunkRng, EveryBitIsBalanced) {
  constexpr int n = 100000;
  chunk_rng rng(5, chunk{6, 0, 1}, 1);
  std::array<int, 64> ones{};
  for (int i = 0; i < n; ++i) {
    const std::uint64_t x = rng();
    for (unsigned bit = 0; bit < 64; ++bit) ones[bit] += static_cast<int>((x >> bit) & 1U);
  }
  const double sigma = std::sqrt(n * 0.25);
  for (unsigned bit = 0; bit < 64; ++bit)
    EXPECT_NEAR(ones[bit], n / 2.0, 5 * sigma) << "bit " << bit;
}

TEST(ChunkRng, WorksWithStandardDistributions) {
  constexpr int n = 60000;
  chunk_rng rng(2024, chunk{3, 0, 1});
  std::uniform_int_distribution<int> die(1, 6);
  std::array<int, 7> counts{};
  for (int i = 0; i < n; ++i) {
    const int face = die(rng);
    ASSERT_GE(face, 1);
    ASSERT_LE(face, 6);
    ++counts[static_cast<std::size_t>(face)];
  }
  const double p = 1.0 / 6.0;
  const double sigma = std::sqrt(n * p * (1 - p));
  for (int face = 1; face <= 6; ++face) {
    EXPECT_NEAR(counts[static_cast<std::size_t>(face)], n * p, 5 * sigma) << "face " << face;
  }

  // And a distribution used twice with identically keyed generators gives identical draws.
  chunk_rng r1(1, chunk{8, 0, 1});
  chunk_rng r2(1, chunk{8, 0, 1});
  std::normal_distribution<double> g1(0.0, 1.0);
  std::normal_distribution<double> g2(0.0, 1.0);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(g1(r1), g2(r2));
}

}  // namespace
