// Scheduling: every rank computes, and dynamic/guided keep handing out chunks while the rank that
// holds the scheduler state (rank 0) is deep inside a long chunk, with both dispensers: the node
// counter and the cross-node service (forced here with MPIMR_DISPENSER=service). Also registered
// with --mpimr-thread-level=funneled, where the service runs inline on rank 0
// (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

// Runs the test body once per dispenser; the variable is read when a context is made.
class schedules_test : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { setenv("MPIMR_DISPENSER", GetParam(), 1); }
  void TearDown() override { unsetenv("MPIMR_DISPENSER"); }
};

// How many chunks each rank ran, gathered on every rank.
std::vector<int> chunks_per_rank(mpimr::context& ctx, int mine) {
  std::vector<int> all(static_cast<std::size_t>(ctx.size()));
  MPI_Allgather(&mine, 1, MPI_INT, all.data(), 1, MPI_INT, MPI_COMM_WORLD);
  return all;
}

TEST_P(schedules_test, OthersFinishTheRestWhileRankZeroIsInALongChunk) {
  mpimr::context ctx;
  if (ctx.size() == 1) GTEST_SKIP() << "needs ranks besides rank 0";
  int level = 0;
  MPI_Query_thread(&level);
  if (level < MPI_THREAD_MULTIPLE && std::string(GetParam()) == "service") {
    GTEST_SKIP() << "without MPI_THREAD_MULTIPLE rank 0 serves between its chunks, by design";
  }
  for (schedule s : {schedule::dynamic, schedule::guided}) {
    int ran = 0;
    const std::uint64_t chunks = 120;
    const auto total = mpimr::reduce(ctx, index_range{0, chunks}, std::uint64_t{0},
                                     [&](const chunk& c) {
                                       ++ran;
                                       // Rank 0's first chunk takes 2 s; all other chunks together
                                       // take 120 x 5 ms / (P-1) <= 0.6 s. (Sleeping, not spinning,
                                       // so that oversubscribed ranks do not steal the CPU from
                                       // each other.)
                                       const auto pause = ctx.rank() == 0 && ran == 1
                                                              ? std::chrono::milliseconds(2000)
                                                              : std::chrono::milliseconds(5);
                                       std::this_thread::sleep_for(pause);
                                       return c.id + 1;
                                     },
                                     std::plus<>{}, {.schedule = s, .chunk_size = 1});
    EXPECT_EQ(total, chunks * (chunks + 1) / 2);
    const auto per_rank = chunks_per_rank(ctx, ran);
    // Dynamic: rank 0 takes one chunk and is busy in it throughout. Guided: it takes one batch, at
    // most chunks / (2 * ranks), and the others run everything else meanwhile.
    const int rank0_limit =
        s == schedule::dynamic ? 1 : static_cast<int>(chunks) / (2 * ctx.size());
    EXPECT_GE(per_rank[0], 1) << to_string(s);
    EXPECT_LE(per_rank[0], rank0_limit)
        << to_string(s) << ": rank 0 should be busy with its long chunk";
    int sum = 0;
    for (int n : per_rank) sum += n;
    EXPECT_EQ(sum, static_cast<int>(chunks));
  }
}

TEST_P(schedules_test, EveryRankComputes) {
  mpimr::context ctx;
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    int ran = 0;
    mpimr::for_each(ctx, index_range{0, 40},
                    [&](const chunk&) {
                      ++ran;
                      std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    },
                    {.schedule = s, .chunk_size = 1});
    for (int n : chunks_per_rank(ctx, ran)) EXPECT_GT(n, 0) << to_string(s);
  }
}

TEST_P(schedules_test, StaticBlocksAreContiguousAndBalanced) {
  mpimr::context ctx;
  std::vector<std::uint64_t> ids;
  mpimr::for_each(ctx, index_range{0, 103}, [&](const chunk& c) { ids.push_back(c.id); },
                  {.schedule = schedule::static_blocks, .chunk_size = 1});
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_EQ(ids[i], ids[i - 1] + 1);
  const auto counts = chunks_per_rank(ctx, static_cast<int>(ids.size()));
  for (int n : counts) {
    EXPECT_GE(n, 103 / ctx.size());
    EXPECT_LE(n, 103 / ctx.size() + 1);
  }
}

TEST_P(schedules_test, ManySmallChunksAllAccountedFor) {
  mpimr::context ctx;
  for (schedule s : {schedule::dynamic, schedule::guided}) {
    const std::uint64_t n = 200000;
    const auto sum = mpimr::reduce(ctx, index_range{0, n}, std::uint64_t{0},
                                   [](const chunk& c) { return c.begin; }, std::plus<>{},
                                   {.schedule = s, .chunk_size = 1});
    EXPECT_EQ(sum, n * (n - 1) / 2) << to_string(s);
  }
}

INSTANTIATE_TEST_SUITE_P(dispensers, schedules_test, ::testing::Values("node", "service"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
