// mpimr::map and mpimr::for_each: results in index order on every rank, every index visited once.
#include <gtest/gtest.h>

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

class map_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
};

TEST_F(map_test, IndexRangeResultsInOrder) {
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    for (std::uint64_t chunk_size : {0, 1, 7, 1000}) {
      const auto squares =
          mpimr::map(ctx, index_range{5, 1005}, [](std::uint64_t i) { return i * i; },
                     {.schedule = s, .chunk_size = chunk_size});
      ASSERT_EQ(squares.size(), 1000U);
      for (std::uint64_t i = 0; i < 1000; ++i) ASSERT_EQ(squares[i], (i + 5) * (i + 5)) << i;
    }
  }
}

TEST_F(map_test, NonTrivialResultTypes) {
  const auto words =
      mpimr::map(ctx, index_range{0, 300},
                 [](std::uint64_t i) { return std::string(i % 5, 'x') + std::to_string(i); },
                 {.schedule = schedule::dynamic, .chunk_size = 4});
  ASSERT_EQ(words.size(), 300U);
  for (std::uint64_t i = 0; i < 300; ++i)
    EXPECT_EQ(words[i], std::string(i % 5, 'x') + std::to_string(i));
  const auto odd = mpimr::map(ctx, index_range{0, 77}, [](std::uint64_t i) { return i % 2 == 1; },
                              {.chunk_size = 3});
  for (std::uint64_t i = 0; i < 77; ++i) EXPECT_EQ(odd[i], i % 2 == 1);
}

TEST_F(map_test, ItemsLikePoolMap) {
  std::vector<std::string> items;
  for (int i = 0; i < 57; ++i) items.push_back("item" + std::to_string(i));
  const auto lengths = mpimr::map(ctx, items, [](const std::string& s) { return s.size(); });
  const auto upper = mpimr::map(ctx, std::span<const std::string>(items),
                                [](const std::string& s) { return s + "!"; },
                                {.schedule = schedule::guided, .chunk_size = 2});
  ASSERT_EQ(lengths.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(lengths[i], items[i].size());
    EXPECT_EQ(upper[i], items[i] + "!");
  }
}

TEST_F(map_test, EmptyAndTinyInputs) {
  EXPECT_TRUE(mpimr::map(ctx, index_range{3, 3}, [](std::uint64_t i) { return i; }).empty());
  const auto one = mpimr::map(ctx, index_range{41, 42}, [](std::uint64_t i) { return i + 1; });
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0], 42U);
  const std::vector<int> none;
  EXPECT_TRUE(mpimr::map(ctx, none, [](int x) { return x; }).empty());
}

/// Plain results travel as their bytes, written in place: sizes that are not powers of two, chunks
/// of one index (one run per chunk under dynamic schedules) and ranks that get no chunk at all.
struct rgb {
  std::uint8_t r, g, b;
};
struct record {
  double x;
  std::int64_t y;
  float z[2];
};

TEST_F(map_test, PlainStructsInPlaceAtEveryScheduleAndChunkSize) {
  const index_range range{7, 7 + 5003};
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    for (std::uint64_t chunk_size : {0, 1, 3, 64, 5003}) {
      const mpimr::options opts{.schedule = s, .chunk_size = chunk_size};
      const auto colours = mpimr::map(
          ctx, range,
          [](std::uint64_t i) {
            return rgb{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8U),
                       static_cast<std::uint8_t>(i * 7)};
          },
          opts);
      const auto records = mpimr::map(
          ctx, range,
          [](std::uint64_t i) {
            return record{i * 0.5,
                          -static_cast<std::int64_t>(i),
                          {static_cast<float>(i), static_cast<float>(i) / 4}};
          },
          opts);
      ASSERT_EQ(colours.size(), range.size());
      ASSERT_EQ(records.size(), range.size());
      for (std::uint64_t i = range.begin; i < range.end; ++i) {
        const rgb& c = colours[i - range.begin];
        ASSERT_EQ(c.r, static_cast<std::uint8_t>(i)) << i;
        ASSERT_EQ(c.g, static_cast<std::uint8_t>(i >> 8U)) << i;
        ASSERT_EQ(c.b, static_cast<std::uint8_t>(i * 7)) << i;
        const record& r = records[i - range.begin];
        ASSERT_EQ(r.x, i * 0.5) << i;
        ASSERT_EQ(r.y, -static_cast<std::int64_t>(i)) << i;
        ASSERT_EQ(r.z[0], static_cast<float>(i)) << i;
        ASSERT_EQ(r.z[1], static_cast<float>(i) / 4) << i;
      }
    }
  }
}

TEST_F(map_test, FewerChunksThanRanks) {
  for (schedule s : {schedule::static_blocks, schedule::dynamic}) {
    const auto halves =
        mpimr::map(ctx, index_range{10, 12}, [](std::uint64_t i) { return i / 2.0; },
                   {.schedule = s, .chunk_size = 1});
    EXPECT_EQ(halves, (std::vector<double>{5.0, 5.5}));
  }
}

TEST_F(map_test, FailuresReachEveryRank) {
  EXPECT_THROW(static_cast<void>(mpimr::map(ctx, index_range{0, 1000},
                                            [](std::uint64_t i) {
                                              if (i == 617) throw std::runtime_error("bad index");
                                              return static_cast<double>(i);
                                            },
                                            {.schedule = schedule::dynamic, .chunk_size = 10})),
               mpimr::task_error);
  EXPECT_THROW(
      static_cast<void>(mpimr::map(ctx, index_range{9, 3}, [](std::uint64_t i) { return i; })),
      mpimr::invalid_argument);
  // The context still works.
  const auto after = mpimr::map(ctx, index_range{0, 3}, [](std::uint64_t i) { return i; });
  EXPECT_EQ(after, (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST_F(map_test, ForEachVisitsEveryIndexOnce) {
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    std::vector<int> visits(500, 0);
    mpimr::for_each(ctx, index_range{0, 500}, [&](std::uint64_t i) { ++visits[i]; },
                    {.schedule = s, .chunk_size = 9});
    MPI_Allreduce(MPI_IN_PLACE, visits.data(), 500, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_EQ(visits, std::vector<int>(500, 1)) << to_string(s);
    std::vector<int> chunk_visits(500, 0);
    mpimr::for_each(ctx, index_range{0, 500},
                    [&](const chunk& c) {
                      for (auto i : c.indices()) ++chunk_visits[i];
                    },
                    {.schedule = s});
    MPI_Allreduce(MPI_IN_PLACE, chunk_visits.data(), 500, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_EQ(chunk_visits, std::vector<int>(500, 1)) << to_string(s);
  }
}

}  // namespace
