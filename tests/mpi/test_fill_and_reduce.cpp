// mpimr::fill_and_reduce: every rank ends with the whole filled array and the joined partials,
// equal to a serial computation, under every schedule and chunk size; bad arguments and failing
// bodies fail every rank alike.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

class fill_and_reduce_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
};

/// A plain struct result: travels as its bytes.
struct cell {
  std::uint64_t index;
  double root;
};

double value_at(std::uint64_t i) { return std::sin(static_cast<double>(i)) * 1e3; }

TEST_F(fill_and_reduce_test, FillsEveryRankAndSumsLikeASerialLoop) {
  const index_range range{7, 5007};
  std::uint64_t serial_sum = 0;
  for (std::uint64_t i = range.begin; i < range.end; ++i) serial_sum += i * i % 1009;
  for (schedule s : {schedule::static_blocks, schedule::dynamic, schedule::guided,
                     schedule::adaptive, schedule::automatic}) {
    for (std::uint64_t chunk_size : {0, 1, 13, 5000, 9999}) {
      std::vector<std::uint64_t> out(range.size(), 0);
      const std::uint64_t sum =
          mpimr::fill_and_reduce(ctx, range, out, std::uint64_t{0},
                                 [](const chunk& c, std::span<std::uint64_t> slice) {
                                   std::uint64_t partial = 0;
                                   for (std::uint64_t i = c.begin; i < c.end; ++i) {
                                     slice[i - c.begin] = i * i % 1009;
                                     partial += slice[i - c.begin];
                                   }
                                   return partial;
                                 },
                                 std::plus<>{}, {.schedule = s, .chunk_size = chunk_size});
      EXPECT_EQ(sum, serial_sum) << mpimr::to_string(s) << " chunk " << chunk_size;
      for (std::uint64_t k = 0; k < out.size(); ++k) {
        const std::uint64_t i = range.begin + k;
        ASSERT_EQ(out[k], i * i % 1009) << mpimr::to_string(s) << " chunk " << chunk_size;
      }
    }
  }
}

TEST_F(fill_and_reduce_test, StructResultsAndAMaximumOverASpan) {
  const index_range range{0, 3001};
  std::vector<cell> storage(range.size() + 2, cell{99, -1.0});
  // A span inside a larger array: the elements around it stay untouched.
  const std::span<cell> out(storage.data() + 1, range.size());
  const double largest =
      mpimr::fill_and_reduce(ctx, range, out, -1.0,
                             [](const chunk& c, std::span<cell> slice) {
                               double best = -1.0;
                               for (std::uint64_t i = c.begin; i < c.end; ++i) {
                                 slice[i - c.begin] = {i, std::sqrt(static_cast<double>(i))};
                                 best = std::max(best, slice[i - c.begin].root);
                               }
                               return best;
                             },
                             mpimr::maximum{}, {.schedule = schedule::dynamic, .chunk_size = 17});
  EXPECT_EQ(largest, std::sqrt(3000.0));
  for (std::uint64_t i = 0; i < range.size(); ++i) {
    ASSERT_EQ(out[i].index, i);
    ASSERT_EQ(out[i].root, std::sqrt(static_cast<double>(i)));
  }
  EXPECT_EQ(storage.front().index, 99U);
  EXPECT_EQ(storage.back().index, 99U);
}

TEST_F(fill_and_reduce_test, DeterministicSumHasTheSameBitsAsMapThenDeterministicReduce) {
  // The same partials per chunk as mpimr::reduce over the filled values, joined in the same tree.
  const index_range range{0, 20000};
  const mpimr::options opts{.schedule = schedule::dynamic, .chunk_size = 37, .deterministic = true};
  std::vector<double> out(range.size());
  const double fused = mpimr::fill_and_reduce(
      ctx, range, out, 0.0,
      [](const chunk& c, std::span<double> slice) {
        double s = 0;
        for (std::uint64_t i = c.begin; i < c.end; ++i) s += slice[i - c.begin] = value_at(i);
        return s;
      },
      std::plus<>{}, opts);
  const double reference = mpimr::reduce(
      ctx, range, 0.0,
      [](const chunk& c) {
        double s = 0;
        for (std::uint64_t i = c.begin; i < c.end; ++i) s += value_at(i);
        return s;
      },
      std::plus<>{}, opts);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(fused), std::bit_cast<std::uint64_t>(reference));
  for (std::uint64_t i = 0; i < range.size(); ++i) ASSERT_EQ(out[i], value_at(i));
}

TEST_F(fill_and_reduce_test, IteratesInPlaceLikeAJacobiSweep) {
  // x' = (x + c) / 2 converges to c; each sweep reads the whole previous vector (every rank must
  // hold all of it) and reports the largest change.
  const std::uint64_t n = 1000;
  std::vector<double> x(n, 0.0);
  std::vector<double> next(n);
  std::vector<double> serial(n, 0.0);
  double change = 1;
  int sweeps = 0;
  while (change > 1e-6) {
    change =
        mpimr::fill_and_reduce(ctx, index_range{0, n}, next, 0.0,
                               [&](const chunk& c, std::span<double> slice) {
                                 double worst = 0;
                                 for (std::uint64_t i = c.begin; i < c.end; ++i) {
                                   const double neighbour = x[(i + 1) % n];
                                   slice[i - c.begin] = (neighbour + static_cast<double>(i)) / 2;
                                   worst = std::max(worst, std::abs(slice[i - c.begin] - x[i]));
                                 }
                                 return worst;
                               },
                               mpimr::maximum{}, {.schedule = schedule::guided, .chunk_size = 64});
    std::vector<double> serial_next(n);
    double serial_change = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      serial_next[i] = (serial[(i + 1) % n] + static_cast<double>(i)) / 2;
      serial_change = std::max(serial_change, std::abs(serial_next[i] - serial[i]));
    }
    ASSERT_EQ(next, serial_next) << "sweep " << sweeps;
    ASSERT_EQ(change, serial_change) << "sweep " << sweeps;
    x.swap(next);
    serial.swap(serial_next);
    ++sweeps;
  }
  EXPECT_GT(sweeps, 10);
}

TEST_F(fill_and_reduce_test, EmptyRangeGivesTheIdentity) {
  std::vector<int> out;
  const int sum = mpimr::fill_and_reduce(ctx, index_range{5, 5}, out, 42,
                                         [](const chunk&, std::span<int>) { return 1; });
  EXPECT_EQ(sum, 42);
}

TEST_F(fill_and_reduce_test, WrongSizedOutputFailsEveryRank) {
  // Only the last rank's array is short: every rank must throw, none may hang.
  std::vector<double> out(ctx.rank() == ctx.size() - 1 ? 99 : 100);
  try {
    (void)mpimr::fill_and_reduce(ctx, index_range{0, 100}, out, 0.0,
                                 [](const chunk&, std::span<double>) { return 0.0; });
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("holds 99 elements but the range has 100"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(fill_and_reduce_test, AThrowingBodyFailsEveryRank) {
  std::vector<double> out(1000);
  EXPECT_THROW((void)mpimr::fill_and_reduce(ctx, index_range{0, 1000}, out, 0.0,
                                            [](const chunk& c, std::span<double>) -> double {
                                              if (c.begin <= 500 && 500 < c.end)
                                                throw std::runtime_error("bad row 500");
                                              return 1.0;
                                            },
                                            std::plus<>{}, {.chunk_size = 10}),
               mpimr::task_error);
  // The context still works.
  const double sum = mpimr::fill_and_reduce(ctx, index_range{0, 1000}, out, 0.0,
                                            [](const chunk& c, std::span<double> slice) {
                                              for (auto& v : slice) v = 1.0;
                                              return static_cast<double>(c.size());
                                            });
  EXPECT_EQ(sum, 1000.0);
}

}  // namespace
