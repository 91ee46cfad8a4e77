// The adaptive schedule: static-like blocks in rank order whose bounds follow each rank's measured
// time from one call to the next, per range and chunk size, with the same results as any schedule.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <thread>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

/// The chunk ids this rank ran in one call, and every rank's first and last id and count.
struct blocks {
  std::vector<std::uint64_t> first;
  std::vector<std::uint64_t> last;
  std::vector<std::uint64_t> count;
};

blocks gather_blocks(mpimr::context& ctx, const std::vector<std::uint64_t>& ids) {
  const auto ranks = static_cast<std::size_t>(ctx.size());
  std::uint64_t mine[3] = {ids.empty() ? 0 : *std::min_element(ids.begin(), ids.end()),
                           ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end()), ids.size()};
  std::vector<std::uint64_t> all(3 * ranks);
  MPI_Allgather(mine, 3, MPI_UINT64_T, all.data(), 3, MPI_UINT64_T, MPI_COMM_WORLD);
  blocks b;
  for (std::size_t r = 0; r < ranks; ++r) {
    b.first.push_back(all[3 * r]);
    b.last.push_back(all[3 * r + 1]);
    b.count.push_back(all[3 * r + 2]);
  }
  return b;
}

/// Every rank ran one contiguous block, the blocks in rank order, covering ids 0 .. chunks - 1.
void expect_blocks_in_rank_order(const blocks& b, std::uint64_t chunks) {
  std::uint64_t next = 0;
  for (std::size_t r = 0; r < b.count.size(); ++r) {
    if (b.count[r] == 0) continue;
    EXPECT_EQ(b.first[r], next) << "rank " << r;
    EXPECT_EQ(b.last[r] - b.first[r] + 1, b.count[r]) << "rank " << r << " ran a gap";
    next = b.last[r] + 1;
  }
  EXPECT_EQ(next, chunks);
}

/// One adaptive for_each over `chunks` one-index chunks in which rank 0 sleeps `rank0_ms` a chunk
/// and the others `others_ms` (sleeping, so that oversubscribed ranks do not slow each other).
blocks run_sleeping(mpimr::context& ctx, std::uint64_t chunks, int rank0_ms, int others_ms) {
  std::vector<std::uint64_t> ids;
  mpimr::for_each(ctx, index_range{0, chunks},
                  [&](const chunk& c) {
                    ids.push_back(c.id);
                    std::this_thread::sleep_for(
                        std::chrono::milliseconds(ctx.rank() == 0 ? rank0_ms : others_ms));
                  },
                  {.schedule = schedule::adaptive, .chunk_size = 1});
  return gather_blocks(ctx, ids);
}

TEST(adaptive_schedule, ResultsEqualTheSerialSumOnEveryCall) {
  mpimr::context ctx;
  const std::uint64_t n = 10007;
  const std::uint64_t expected = n * (n - 1) / 2;
  for (int call = 0; call < 12; ++call) {
    std::vector<std::uint64_t> ids;
    const auto sum =
        mpimr::reduce(ctx, index_range{0, n}, std::uint64_t{0},
                      [&](const chunk& c) {
                        ids.push_back(c.id);
                        std::uint64_t s = 0;
                        for (const auto i : c.indices()) s += i;
                        return s;
                      },
                      std::plus<>{}, {.schedule = schedule::adaptive, .chunk_size = 97});
    EXPECT_EQ(sum, expected) << "call " << call;
    expect_blocks_in_rank_order(gather_blocks(ctx, ids), (n + 96) / 97);
  }
}

TEST(adaptive_schedule, TheSlowerRankGetsFewerChunks) {
  mpimr::context ctx;
  if (ctx.size() == 1) GTEST_SKIP() << "needs two ranks";
  // Rank 0 takes 4 ms a chunk, the others 1 ms. At static blocks every rank gets chunks / P; the
  // bounds then move toward 1/4 of the others' share for rank 0.
  const std::uint64_t chunks = 16 * static_cast<std::uint64_t>(ctx.size());
  const auto run = [&] { return run_sleeping(ctx, chunks, 4, 1); };
  const blocks first = run();
  for (std::size_t r = 0; r < first.count.size(); ++r) {
    EXPECT_EQ(first.count[r], 16U) << "the first call runs the static blocks; rank " << r;
  }
  blocks later;
  for (int call = 0; call < 8; ++call) later = run();
  expect_blocks_in_rank_order(later, chunks);
  for (std::size_t r = 1; r < later.count.size(); ++r) {
    EXPECT_LT(2 * later.count[0], later.count[r]) << "rank 0 is 4x slower than rank " << r;
  }
  // Another chunk size over the same range is another operation: it starts from static blocks.
  std::vector<std::uint64_t> ids;
  mpimr::for_each(ctx, index_range{0, chunks}, [&](const chunk& c) { ids.push_back(c.id); },
                  {.schedule = schedule::adaptive, .chunk_size = 2});
  const blocks other = gather_blocks(ctx, ids);
  for (std::size_t r = 0; r < other.count.size(); ++r) {
    EXPECT_EQ(other.count[r], 8U) << "rank " << r;
  }
  // And the first range still has its own bounds.
  expect_blocks_in_rank_order(later = run(), chunks);
  EXPECT_LT(2 * later.count[0], later.count[1]);
}

TEST(adaptive_schedule, AFailedCallLeavesEveryRankAgreeing) {
  mpimr::context ctx;
  const std::uint64_t chunks = 6 * static_cast<std::uint64_t>(ctx.size());
  for (int call = 0; call < 3; ++call) {
    EXPECT_THROW(mpimr::for_each(ctx, index_range{0, chunks},
                                 [&](const chunk& c) {
                                   if (c.id == chunks - 1)
                                     throw std::runtime_error("last chunk fails");
                                 },
                                 {.schedule = schedule::adaptive, .chunk_size = 1}),
                 mpimr::task_error);
  }
  // The next call still runs every chunk once, in blocks.
  std::vector<std::uint64_t> ids;
  mpimr::for_each(ctx, index_range{0, chunks}, [&](const chunk& c) { ids.push_back(c.id); },
                  {.schedule = schedule::adaptive, .chunk_size = 1});
  expect_blocks_in_rank_order(gather_blocks(ctx, ids), chunks);
}

TEST(adaptive_schedule, RanksKeepTheSameBoundsAfterOneRanksBadArgumentsAndAFullTable) {
  mpimr::context ctx;
  if (ctx.size() == 1) GTEST_SKIP() << "needs ranks to disagree";
  // Learned bounds for range A: rank 0 is slower, so its block shrinks.
  const std::uint64_t chunks = 8 * static_cast<std::uint64_t>(ctx.size());
  const auto run_a = [&] { return run_sleeping(ctx, chunks, 3, 0); };
  for (int call = 0; call < 4; ++call) static_cast<void>(run_a());
  // Fill the table of ranges (1024 entries) up to one short.
  for (std::uint64_t size = 1; size < 1023; ++size) {
    mpimr::for_each(ctx, index_range{0, size + chunks}, [](const chunk&) {},
                    {.schedule = schedule::adaptive, .chunk_size = 1});
  }
  // Bad arguments on the last rank alone: every rank throws, and no rank may remember the range.
  const bool last = ctx.rank() == ctx.size() - 1;
  EXPECT_THROW(
      mpimr::for_each(ctx, last ? index_range{10, 5} : index_range{0, 5000}, [](const chunk&) {},
                      {.schedule = schedule::adaptive, .chunk_size = 1}),
      mpimr::invalid_argument);
  // A new range fills the table; range A must then run from the same bounds on every rank.
  mpimr::for_each(ctx, index_range{0, 7000}, [](const chunk&) {},
                  {.schedule = schedule::adaptive, .chunk_size = 1});
  const blocks after = run_a();
  expect_blocks_in_rank_order(after, chunks);
  std::uint64_t total = 0;
  for (const auto n : after.count) total += n;
  EXPECT_EQ(total, chunks) << "every chunk once";
}

}  // namespace
