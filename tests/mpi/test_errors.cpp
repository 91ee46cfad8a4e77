// Failures: a body that throws on one rank, on all ranks, or in the last chunk surfaces as one
// mpimr::task_error on every rank; bad arguments throw mpimr::invalid_argument on every rank; and
// the context keeps working afterwards (no message of a failed operation leaks into the next).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

const std::vector<schedule> all_schedules{schedule::static_blocks, schedule::dynamic,
                                          schedule::guided, schedule::adaptive};

class errors_test : public ::testing::Test {
 protected:
  mpimr::context ctx;

  // The context must still compute correctly after a failed operation.
  void expect_context_still_works() {
    const auto s = mpimr::reduce(ctx, index_range{0, 100}, 0,
                                 [](const chunk& c) { return static_cast<int>(c.size()); },
                                 std::plus<>{}, {.schedule = schedule::dynamic, .chunk_size = 3});
    EXPECT_EQ(s, 100);
  }
};

TEST_F(errors_test, ThrowOnOneRankSurfacesEverywhere) {
  const int failing = ctx.size() - 1;
  for (schedule s : all_schedules) {
    try {
      (void)mpimr::reduce(ctx, index_range{0, 400}, 0,
                          [&](const chunk& c) {
                            if (ctx.rank() == failing && c.id % 2 == 0)
                              throw std::runtime_error("bad sample " + std::to_string(c.id));
                            return 1;
                          },
                          std::plus<>{}, {.schedule = s, .chunk_size = 1});
      // With dynamic schedules the failing rank may get only odd chunks on a lucky run; with one
      // rank it certainly gets chunk 0. Only static blocks guarantee it gets an even one.
      if (s == schedule::static_blocks || ctx.size() == 1)
        ADD_FAILURE() << "no exception with " << to_string(s);
    } catch (const mpimr::task_error& e) {
      EXPECT_EQ(e.rank(), failing);
      EXPECT_EQ(e.chunk_id() % 2, 0U);
      EXPECT_EQ(e.original_message(), "bad sample " + std::to_string(e.chunk_id()));
      const std::string what = e.what();
      EXPECT_NE(what.find("rank " + std::to_string(failing)), std::string::npos) << what;
      EXPECT_NE(what.find("chunk " + std::to_string(e.chunk_id())), std::string::npos) << what;
      EXPECT_NE(what.find("bad sample"), std::string::npos) << what;
    }
    expect_context_still_works();
  }
}

TEST_F(errors_test, ThrowOnAllRanksReportsLowestRank) {
  for (schedule s : all_schedules) {
    try {
      mpimr::for_each(
          ctx, index_range{0, 64},
          [&](const chunk&) { throw std::logic_error("rank " + std::to_string(ctx.rank())); },
          {.schedule = s, .chunk_size = 1});
      ADD_FAILURE() << "no exception";
    } catch (const mpimr::task_error& e) {
      // Every rank got a chunk before anyone could cancel, or not: the lowest failing rank is
      // reported, and the report is the same on every rank.
      int reported = e.rank();
      int lowest = reported;
      MPI_Allreduce(&reported, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
      EXPECT_EQ(lowest, reported);
      EXPECT_EQ(e.original_message(), "rank " + std::to_string(e.rank()));
    }
    expect_context_still_works();
  }
}

TEST_F(errors_test, ThrowInLastChunk) {
  for (schedule s : all_schedules) {
    try {
      (void)mpimr::map(ctx, index_range{0, 50},
                       [](std::uint64_t i) {
                         if (i == 49) throw std::out_of_range("last index");
                         return i;
                       },
                       {.schedule = s, .chunk_size = 5});
      ADD_FAILURE() << "no exception";
    } catch (const mpimr::task_error& e) {
      EXPECT_EQ(e.chunk_id(), 9U);
      EXPECT_EQ(e.original_message(), "last index");
    }
    expect_context_still_works();
  }
}

TEST_F(errors_test, NonStandardExceptionIsReported) {
  try {
    mpimr::for_each(ctx, index_range{0, 4},
                    [](std::uint64_t i) {
                      if (i == 2) throw 42;
                    },
                    {.chunk_size = 1});
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.chunk_id(), 2U);
    EXPECT_NE(std::string(e.what()).find("unknown exception"), std::string::npos);
  }
}

TEST_F(errors_test, OtherRanksStopTakingChunks) {
  if (ctx.size() == 1) GTEST_SKIP() << "needs another rank to stop";
  // Rank 0 fails at once; the others would need 1000 x 2 ms = 2 s for the rest. Cancellation must
  // stop them long before (they look for the cancel message at least every millisecond).
  int ran = 0;
  try {
    mpimr::for_each(ctx, index_range{0, 1000},
                    [&](const chunk&) {
                      if (ctx.rank() == 0) throw std::runtime_error("stop");
                      ++ran;
                      std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    },
                    {.schedule = schedule::static_blocks, .chunk_size = 1});
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.rank(), 0);
  }
  int total = 0;
  MPI_Allreduce(&ran, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_LT(total, 200) << "ranks kept computing after rank 0 failed";
}

TEST_F(errors_test, JoinThrowingAcrossRanksFailsEverywhere) {
  if (ctx.size() == 1) GTEST_SKIP() << "a cross-rank join needs two ranks";
  try {
    (void)mpimr::reduce(
        ctx, index_range{0, static_cast<std::uint64_t>(ctx.size())}, std::string{},
        [](const chunk& c) { return std::to_string(c.id); },
        [](const std::string& a, const std::string& b) -> std::string {
          if (!a.empty() && !b.empty()) throw std::runtime_error("join refused");
          return a + b;
        },
        {.schedule = schedule::static_blocks, .chunk_size = 1});
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.original_message(), "join refused");
    EXPECT_EQ(e.chunk_id(), mpimr::task_error::no_chunk);
  }
  expect_context_still_works();
}

TEST_F(errors_test, JoinOfTriviallyCopyableValuesThrowingFailsEverywhereWithItsMessage) {
  // A trivially copyable partial is joined inside MPI_Allreduce (detail/fixed_allreduce.hpp): the
  // failure must still reach every rank, with the whole message and the rank that ran the join.
  if (ctx.size() == 1) GTEST_SKIP() << "a cross-rank join needs two ranks";
  struct pair_of_counts {
    std::int64_t first = 0;
    std::int64_t second = 0;
  };
  const std::string long_message = "join refused: " + std::string(3000, 'x') + " end";
  int failing_rank = -1;
  try {
    (void)mpimr::reduce(
        ctx, index_range{0, static_cast<std::uint64_t>(ctx.size())}, pair_of_counts{},
        [](const chunk& c) {
          return pair_of_counts{static_cast<std::int64_t>(c.id), 1};
        },
        [&](const pair_of_counts& a, const pair_of_counts& b) -> pair_of_counts {
          if (a.second != 0 && b.second != 0) throw std::runtime_error(long_message);
          return {a.first + b.first, a.second + b.second};
        },
        {.schedule = schedule::static_blocks, .chunk_size = 1});
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.original_message(), long_message);
    EXPECT_EQ(e.chunk_id(), mpimr::task_error::no_chunk);
    failing_rank = e.rank();
  }
  // Every rank names the same rank, one of the job's.
  int lowest = failing_rank;
  int highest = failing_rank;
  MPI_Allreduce(MPI_IN_PLACE, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &highest, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(lowest, highest);
  EXPECT_GE(lowest, 0);
  EXPECT_LT(highest, ctx.size());
  expect_context_still_works();
}

TEST_F(errors_test, BadArgumentsThrowOnEveryRank) {
  auto one = [](const chunk&) { return 1; };
  EXPECT_THROW((void)mpimr::reduce(ctx, index_range{10, 2}, 0, one, std::plus<>{}),
               mpimr::invalid_argument);
  try {
    (void)mpimr::reduce(ctx, index_range{10, 2}, 0, one, std::plus<>{});
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("10"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("2"), std::string::npos);
  }
  EXPECT_THROW((void)mpimr::reduce(ctx, index_range{0, 10}, 0, one, std::function<int(int, int)>{}),
               mpimr::invalid_argument);
  int (*no_body)(const chunk&) = nullptr;
  EXPECT_THROW((void)mpimr::reduce(ctx, index_range{0, 10}, 0, no_body, std::plus<>{}),
               mpimr::invalid_argument);
  EXPECT_THROW((void)mpimr::reduce(ctx, index_range{0, 10}, 0, one, std::plus<>{},
                                   {.chunk_size = static_cast<std::uint64_t>(-1)}),
               mpimr::invalid_argument);
  EXPECT_THROW(mpimr::for_each(ctx, index_range{0, 10}, [](std::uint64_t) {},
                               {.schedule = static_cast<schedule>(17)}),
               mpimr::invalid_argument);
  EXPECT_THROW((void)mpimr::parse_schedule("fastest"), mpimr::invalid_argument);
  expect_context_still_works();
}

TEST_F(errors_test, RanksThatDisagreeOnTheRangeGetAnErrorNotAHang) {
  if (ctx.size() == 1) GTEST_SKIP() << "needs two ranks to disagree";
  for (schedule s : all_schedules) {
    const std::uint64_t end = ctx.rank() == 0 ? 100 : 101;
    EXPECT_THROW((void)mpimr::reduce(ctx, index_range{0, end}, 0, [](const chunk&) { return 1; },
                                     std::plus<>{}, {.schedule = s, .chunk_size = 1}),
                 mpimr::invalid_argument);
    // Only rank 1 is wrong about the order of its arguments: everybody still throws.
    const index_range r = ctx.rank() == 1 ? index_range{5, 1} : index_range{1, 5};
    EXPECT_THROW(mpimr::for_each(ctx, r, [](std::uint64_t) {}, {.schedule = s}),
                 mpimr::invalid_argument);
    expect_context_still_works();
  }
}

TEST_F(errors_test, ShapeMismatchIsAnErrorNotACorruption) {
  // The identity has 2 elements, the partials 3: joining them element-wise would read past the end.
  EXPECT_THROW((void)mpimr::reduce(ctx, index_range{0, 10}, std::vector<double>(2, 0.0),
                                   [](const chunk&) { return std::vector<double>(3, 1.0); },
                                   std::plus<>{}, {.chunk_size = 10}),
               mpimr::error);
  expect_context_still_works();
}

}  // namespace
