// Failures in the middle of a key-value shuffle on a dynamic schedule (test_shuffle.cpp covers
// static blocks): a mapper that throws after its rank already sent batches, and a combine that
// throws on one rank only, in its map-side table or on batches arriving at the owner. Every rank
// gets the one mpimr::task_error, nobody hangs, and the context still works afterwards.
// mpimr-test: TIMEOUT 240
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <mpimr/mpimr.hpp>
#include <stdexcept>
#include <vector>

namespace {

using mpimr::index_range;
using mpimr::schedule;

// A value that carries its key, so that a combine can tell which key, and hence which table
// (map-side or owner's), it is joining.
using tagged = std::array<std::uint64_t, 2>;  // {key, count}

// Rank order is key order modulo the ranks: who owns a key is plain to see in a combine.
int by_residue(const std::uint64_t& key, int ranks) {
  return static_cast<int>(key % static_cast<std::uint64_t>(ranks));
}

// Emit j of index i: even ones hit 8 hot keys (combined again and again), odd ones a thousand
// cold keys (which fill the map-side table, so it is sent on every chunk or so).
std::uint64_t skewed_key(std::uint64_t i, std::uint64_t j) {
  return j % 2 == 0 ? (j / 2) % 8 : 8 + (i * 250 + j / 2) % 1000;
}
constexpr std::uint64_t emits_per_index = 500;

std::map<std::uint64_t, std::uint64_t> skewed_counts(std::uint64_t n) {
  std::map<std::uint64_t, std::uint64_t> counts;
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::uint64_t j = 0; j < emits_per_index; ++j) counts[skewed_key(i, j)] += 1;
  }
  return counts;
}

// Rank 0 and the last rank: rank 0 also hands out chunks under the service dispenser.
std::vector<int> first_and_last(const mpimr::context& ctx) {
  if (ctx.size() == 1) return {0};
  return {0, ctx.size() - 1};
}

// Nothing of a failed exchange is left behind: the next one sees only its own data.
void expect_usable(mpimr::context& ctx) {
  const auto counts = mpimr::map_reduce_by_key<int, int>(
      ctx, index_range{0, 1000}, [](std::uint64_t i, const auto& emit) { emit(int(i % 3), 1); },
      std::plus<>{}, {.schedule = schedule::dynamic, .shuffle_buffer_bytes = 16});
  const auto all = counts.gather_sorted();
  EXPECT_EQ((std::map<int, int>(all.begin(), all.end())),
            (std::map<int, int>{{0, 334}, {1, 333}, {2, 333}}));
}

// Runs each test body once per dispenser; the variable is read when a context is made.
class shuffle_failures_test : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { setenv("MPIMR_DISPENSER", GetParam(), 1); }
  void TearDown() override { unsetenv("MPIMR_DISPENSER"); }
};

TEST_P(shuffle_failures_test, MapperThrowingAfterItsRankSentBatchesFailsEveryRank) {
  mpimr::context ctx;
  for (const int failing : first_and_last(ctx)) {
    int chunks_here = 0;
    try {
      // Each chunk emits 4000 distinct keys, far over the map-side table's 16 KiB (a third of
      // the budget), so by its third chunk the failing rank has sent batches of several KiB each
      // (past Open MPI's 4 KiB eager limit in shared memory) that others must take in.
      const auto result = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
          ctx, index_range{0, 10000},
          [&](std::uint64_t i, const auto& emit) {
            if (ctx.rank() == failing && ++chunks_here == 3) {
              throw std::runtime_error("mapper refused");
            }
            for (std::uint64_t j = 0; j < 4000; ++j) emit(i * 4000 + j, 1);
          },
          std::plus<>{},
          {.schedule = schedule::dynamic, .chunk_size = 1, .shuffle_buffer_bytes = 48 << 10});
      ADD_FAILURE() << "no error with rank " << failing << " failing";
    } catch (const mpimr::task_error& e) {
      EXPECT_EQ(e.rank(), failing);
      EXPECT_EQ(e.original_message(), "mapper refused");
    }
    expect_usable(ctx);
  }
}

TEST_P(shuffle_failures_test, CombineThrowingInOneRanksMapSideTableFailsEveryRank) {
  mpimr::context ctx;
  const int ranks = ctx.size();
  const std::uint64_t n = 4000;
  for (const int failing : first_and_last(ctx)) {
    std::uint64_t map_side_combines = 0;
    // Keys a rank does not own are combined only in its map-side table. The 300th such combine
    // comes a few chunks in, after the cold keys made the table go out at least once.
    auto combine = [&](tagged a, tagged b) {
      if (ctx.rank() == failing && by_residue(a[0], ranks) != failing &&
          ++map_side_combines == 300) {
        throw std::runtime_error("combine refused");
      }
      return tagged{a[0], a[1] + b[1]};
    };
    try {
      const auto counts = mpimr::map_reduce_by_key<std::uint64_t, tagged>(
          ctx, index_range{0, n},
          [](std::uint64_t i, const auto& emit) {
            for (std::uint64_t j = 0; j < emits_per_index; ++j) {
              const std::uint64_t key = skewed_key(i, j);
              emit(key, tagged{key, 1});
            }
          },
          combine,
          {.schedule = schedule::dynamic, .chunk_size = 1, .shuffle_buffer_bytes = 12 << 10},
          by_residue);
      // One rank owns every key: there is no map-side table, and the counts must be right.
      EXPECT_EQ(ranks, 1) << "no error with rank " << failing << " failing";
      std::map<std::uint64_t, std::uint64_t> got;
      for (const auto& [key, value] : counts.gather_sorted()) got[key] = value[1];
      EXPECT_EQ(got, skewed_counts(n));
    } catch (const mpimr::task_error& e) {
      EXPECT_GT(ranks, 1);
      EXPECT_EQ(e.rank(), failing);
      EXPECT_EQ(e.original_message(), "combine refused");
    }
    expect_usable(ctx);
  }
}

TEST_P(shuffle_failures_test, CombineThrowingOnBatchesArrivingAtOneOwnerFailsEveryRank) {
  mpimr::context ctx;
  const int ranks = ctx.size();
  if (ranks == 1) GTEST_SKIP() << "needs a rank that sends to another";
  for (const int failing : first_and_last(ctx)) {
    std::uint64_t owner_combines = 0;
    // The failing rank emits none of its own keys, so every combine of a key it owns is of
    // values that arrived from others while it maps or waits: the 20th fails. The senders
    // combine the hot keys in their own tables first, so each batch brings every hot key once.
    auto combine = [&](tagged a, tagged b) {
      if (ctx.rank() == failing && by_residue(a[0], ranks) == failing && ++owner_combines == 20) {
        throw std::runtime_error("combine refused");
      }
      return tagged{a[0], a[1] + b[1]};
    };
    try {
      const auto counts = mpimr::map_reduce_by_key<std::uint64_t, tagged>(
          ctx, index_range{0, 4000},
          [&](std::uint64_t i, const auto& emit) {
            for (std::uint64_t j = 0; j < emits_per_index; ++j) {
              const std::uint64_t key = skewed_key(i, j);
              if (ctx.rank() != failing || by_residue(key, ranks) != failing) {
                emit(key, tagged{key, 1});
              }
            }
          },
          combine,
          {.schedule = schedule::dynamic, .chunk_size = 1, .shuffle_buffer_bytes = 12 << 10},
          by_residue);
      ADD_FAILURE() << "no error with rank " << failing << " failing";
    } catch (const mpimr::task_error& e) {
      EXPECT_EQ(e.rank(), failing);
      EXPECT_EQ(e.original_message(), "combine refused");
    }
    expect_usable(ctx);
  }
}

INSTANTIATE_TEST_SUITE_P(dispensers, shuffle_failures_test, ::testing::Values("node", "service"));

}  // namespace
