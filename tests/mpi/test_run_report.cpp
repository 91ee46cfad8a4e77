// The run report after each operation: counts that add up to what ran (checked against what the
// test's own bodies saw), times within the wall time, bytes that match what had to move, and the
// label and schedule of the operation.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <mpimr/version.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::run_report;

std::uint64_t sum_over_ranks(const mpimr::context& ctx, std::uint64_t value) {
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
  return value;
}

/// A little arithmetic per index, so that busy time is more than the clock's resolution.
std::uint64_t work(std::uint64_t i) {
  std::uint64_t x = i;
  for (int k = 0; k < 200; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x >> 60U;
}

/// What every report must satisfy, whatever ran.
void expect_consistent(const run_report& r, int size) {
  ASSERT_EQ(r.ranks.size(), static_cast<std::size_t>(size));
  std::uint64_t chunks = 0;
  std::uint64_t items = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  for (std::size_t i = 0; i < r.ranks.size(); ++i) {
    const mpimr::rank_report& rank = r.ranks[i];
    EXPECT_EQ(rank.rank, static_cast<int>(i));
    EXPECT_FALSE(rank.host.empty());
    EXPECT_GE(rank.busy_seconds, 0.0);
    EXPECT_GE(rank.wait_seconds, 0.0);
    EXPECT_LE(rank.busy_seconds, r.wall_seconds) << "rank " << i;
    EXPECT_LE(rank.busy_seconds + rank.wait_seconds, r.wall_seconds * (1 + 1e-9)) << "rank " << i;
    chunks += rank.chunks;
    items += rank.items;
    sent += rank.bytes_sent;
    received += rank.bytes_received;
  }
  EXPECT_EQ(chunks, r.chunk_count);
  EXPECT_EQ(items, r.items);
  // Every byte counted as sent by one rank is counted as received by another.
  EXPECT_EQ(sent, received);
  EXPECT_GE(r.load_imbalance(), 1.0);
  EXPECT_GT(r.parallel_efficiency(), 0.0);
  EXPECT_LE(r.parallel_efficiency(), 1.0);
}

TEST(run_report_test, AReduceReportsItsChunksItemsLabelAndSchedule) {
  mpimr::context ctx;
  EXPECT_EQ(ctx.last_report().operations, 0U);
  const std::uint64_t n = 1000;
  std::uint64_t my_chunks = 0;
  std::uint64_t my_items = 0;
  for (auto s : {mpimr::schedule::static_blocks, mpimr::schedule::dynamic, mpimr::schedule::guided,
                 mpimr::schedule::adaptive}) {
    my_chunks = 0;
    my_items = 0;
    const std::uint64_t sum =
        mpimr::reduce(ctx, index_range{0, n}, std::uint64_t{0},
                      [&](const chunk& c) {
                        ++my_chunks;
                        my_items += c.size();
                        std::uint64_t acc = 0;
                        for (auto i : c.indices()) acc += work(i);
                        return acc;
                      },
                      std::plus<>{}, {.schedule = s, .chunk_size = 7, .label = "sum of work"});
    EXPECT_GT(sum, 0U);
    const run_report& r = ctx.last_report();
    expect_consistent(r, ctx.size());
    EXPECT_EQ(r.operations, 1U);
    EXPECT_EQ(r.label, "sum of work");
    EXPECT_EQ(r.schedule, std::string(mpimr::to_string(s)));
    EXPECT_EQ(r.chunk_size, 7U);
    EXPECT_EQ(r.chunk_count, (n + 6) / 7);
    EXPECT_EQ(r.items, n);
    EXPECT_EQ(r.ranks[static_cast<std::size_t>(ctx.rank())].chunks, my_chunks);
    EXPECT_EQ(r.ranks[static_cast<std::size_t>(ctx.rank())].items, my_items);
    EXPECT_EQ(sum_over_ranks(ctx, my_chunks), r.chunk_count);
  }
  // Automatic runs the dynamic schedule, and says so.
  (void)mpimr::transform_reduce(ctx, index_range{0, 50}, std::uint64_t{0}, std::plus<>{}, work);
  EXPECT_EQ(ctx.last_report().schedule, "dynamic");
  EXPECT_EQ(ctx.last_report().label, "");
  expect_consistent(ctx.last_report(), ctx.size());
}

TEST(run_report_test, AMapOfDoublesReceivesWhatOtherRanksComputed) {
  mpimr::context ctx;
  const std::uint64_t n = 5000;
  for (auto s : {mpimr::schedule::static_blocks, mpimr::schedule::dynamic}) {
    const std::vector<double> values = mpimr::map(
        ctx, index_range{0, n}, [](std::uint64_t i) { return static_cast<double>(work(i)); },
        {.schedule = s, .chunk_size = 64, .label = "doubles"});
    ASSERT_EQ(values.size(), n);
    const run_report& r = ctx.last_report();
    expect_consistent(r, ctx.size());
    const mpimr::rank_report& mine = r.ranks[static_cast<std::size_t>(ctx.rank())];
    if (ctx.size() == 1) {
      EXPECT_EQ(mine.bytes_sent, 0U);
      EXPECT_EQ(mine.bytes_received, 0U);
    } else {
      // Every result this rank did not compute had to reach it, and its own had to leave it.
      EXPECT_GE(mine.bytes_received, (n - mine.items) * sizeof(double));
      EXPECT_GE(mine.bytes_sent, mine.items * sizeof(double));
    }
  }
  // An encoded map (strings) goes through the byte transport instead.
  const auto words =
      mpimr::map(ctx, index_range{0, 300}, [](std::uint64_t i) { return std::to_string(i); });
  ASSERT_EQ(words.size(), 300U);
  expect_consistent(ctx.last_report(), ctx.size());
  if (ctx.size() > 1) {
    const mpimr::rank_report& mine = ctx.last_report().ranks[static_cast<std::size_t>(ctx.rank())];
    EXPECT_GE(mine.bytes_received, 300 - mine.items);  // at least a byte per result
  }
}

TEST(run_report_test, OtherOperationsReportTooAndTheTotalAddsThemUp) {
  mpimr::context ctx;
  std::uint64_t my_chunks = 0;
  mpimr::for_each(ctx, index_range{0, 200}, [&](const chunk&) { ++my_chunks; },
                  {.chunk_size = 10, .label = "each"});
  EXPECT_EQ(ctx.last_report().label, "each");
  EXPECT_EQ(ctx.last_report().chunk_count, 20U);
  expect_consistent(ctx.last_report(), ctx.size());

  const auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
      ctx, index_range{0, 3000}, [](std::uint64_t i, const auto& emit) { emit(i % 17, 1); },
      std::plus<>{}, {.chunk_size = 100, .label = "histogram"});
  EXPECT_EQ(counts.size(), 17U);
  const run_report& shuffle = ctx.last_report();
  expect_consistent(shuffle, ctx.size());
  EXPECT_EQ(shuffle.label, "histogram");
  EXPECT_EQ(shuffle.chunk_count, 30U);

  const auto to_root = mpimr::map_to(ctx, 0, index_range{0, 400},
                                     [](std::uint64_t i) { return static_cast<double>(i); });
  EXPECT_EQ(to_root.size(), ctx.rank() == 0 ? 400U : 0U);
  expect_consistent(ctx.last_report(), ctx.size());

  const run_report& total = ctx.total_report();
  EXPECT_EQ(total.operations, 3U);
  EXPECT_EQ(total.chunk_count, 20U + 30U + ctx.last_report().chunk_count);
  EXPECT_EQ(total.items, 200U + 3000U + 400U);
  EXPECT_EQ(total.label, "");  // the labels differ
  std::uint64_t chunks = 0;
  for (const auto& r : total.ranks) chunks += r.chunks;
  EXPECT_EQ(chunks, total.chunk_count);
}

TEST(run_report_test, AFailureKeepsThePreviousReportAndNamesTheLabel) {
  mpimr::context ctx;
  mpimr::for_each(ctx, index_range{0, 10}, [](std::uint64_t) {}, {.label = "fine"});
  try {
    mpimr::for_each(ctx, index_range{0, 10},
                    [](std::uint64_t i) {
                      if (i == 3) throw std::runtime_error("three");
                    },
                    {.chunk_size = 1, .label = "fragile"});
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_NE(std::string(e.what()).find("'fragile'"), std::string::npos) << e.what();
    EXPECT_EQ(e.original_message(), "three");
  }
  EXPECT_EQ(ctx.last_report().label, "fine");
  EXPECT_EQ(ctx.total_report().operations, 1U);
  // The next operation reports normally.
  mpimr::for_each(ctx, index_range{0, 10}, [](std::uint64_t) {}, {.label = "after"});
  EXPECT_EQ(ctx.last_report().label, "after");
  expect_consistent(ctx.last_report(), ctx.size());
}

TEST(run_report_test, ReportingOffLeavesTheReportAlone) {
  mpimr::context ctx;
  mpimr::for_each(ctx, index_range{0, 10}, [](std::uint64_t) {}, {.label = "on"});
  ctx.set_reporting(false);
  mpimr::for_each(ctx, index_range{0, 10}, [](std::uint64_t) {}, {.label = "off"});
  EXPECT_EQ(ctx.last_report().label, "on");
  ctx.set_reporting(true);
  mpimr::for_each(ctx, index_range{0, 10}, [](std::uint64_t) {}, {.label = "on again"});
  EXPECT_EQ(ctx.last_report().label, "on again");
  EXPECT_EQ(ctx.total_report().operations, 2U);
}

TEST(run_report_test, TableAndJsonNameEveryRank) {
  mpimr::context ctx;
  (void)mpimr::reduce(ctx, index_range{0, 100}, std::uint64_t{0},
                      [](const chunk& c) { return c.size(); }, std::plus<>{}, {.label = "tab\"le"});
  const run_report& r = ctx.last_report();
  const std::string table = mpimr::format_table(r);
  std::size_t lines = 0;
  for (char c : table) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, static_cast<std::size_t>(ctx.size()) + 3);  // title, header, ranks, summary
  EXPECT_NE(table.find(r.ranks[0].host), std::string::npos);
  const std::string json = mpimr::to_json(r);
  EXPECT_NE(json.find("\"label\": \"tab\\\"le\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"rank_count\": " + std::to_string(ctx.size())), std::string::npos);
  EXPECT_NE(json.find("\"mpimr_version\": \"" MPIMR_VERSION_STRING "\""), std::string::npos);
}

}  // namespace
