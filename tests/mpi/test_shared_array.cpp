// mpimr::shared_array: each rank fills only its share yet reads the whole array (so the ranks of a
// node share one copy), the node-leader form runs its maker once per node, and mismatched sizes or
// a throwing fill fail every rank alike; refill rewrites it from the same shares.
// mpimr::fill_and_reduce into a shared array gives every rank what a serial loop gives, under every
// schedule; these tests also run across emulated nodes (tests/cluster), where node leaders exchange
// the nodes' results.
#include <gtest/gtest.h>

#include <algorithm>
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

class shared_array_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
};

std::uint64_t value_at(std::uint64_t i) { return i * 2654435761ULL + 17; }

TEST_F(shared_array_test, EachRankFillsItsShareAndReadsTheWhole) {
  const std::uint64_t n = 100'003;
  std::uint64_t filled = 0;
  std::uint64_t first_seen = ~std::uint64_t{0};
  mpimr::shared_array<std::uint64_t> xs(ctx, n,
                                        [&](std::span<std::uint64_t> part, std::uint64_t first) {
                                          filled = part.size();
                                          first_seen = first;
                                          for (std::size_t i = 0; i < part.size(); ++i)
                                            part[i] = value_at(first + i);
                                        });
  ASSERT_EQ(xs.size(), n);
  // Shares of a node are balanced: n / node ranks, or one more.
  const auto node_ranks = static_cast<std::uint64_t>(ctx.node_size());
  EXPECT_GE(filled, n / node_ranks);
  EXPECT_LE(filled, n / node_ranks + 1);
  EXPECT_LT(first_seen, n);
  // Every element is right on every rank, although this rank wrote only its share: the others'
  // shares can only be here if the memory is the same.
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 0; i < n; ++i) wrong += xs[i] != value_at(i) ? 1 : 0;
  EXPECT_EQ(wrong, 0U);
  EXPECT_EQ(xs.span().size(), n);
  EXPECT_EQ(xs.end() - xs.begin(), static_cast<std::ptrdiff_t>(n));
}

TEST_F(shared_array_test, SharesCoverTheArrayOncePerNode) {
  const std::uint64_t n = 1'000;
  std::uint64_t filled = 0;
  mpimr::shared_array<int> xs(ctx, n,
                              [&](std::span<int> part, std::uint64_t) { filled = part.size(); });
  std::vector<std::uint64_t> all(static_cast<std::size_t>(ctx.size()));
  all[static_cast<std::size_t>(ctx.rank())] = filled;
  MPI_Allreduce(MPI_IN_PLACE, all.data(), ctx.size(), MPI_UINT64_T, MPI_SUM, ctx.communicator());
  std::uint64_t total = 0;
  for (const auto f : all) total += f;
  EXPECT_EQ(total, n * static_cast<std::uint64_t>(ctx.node_count()));
}

TEST_F(shared_array_test, NodeLeaderMakesItOncePerNode) {
  int made = 0;
  auto xs = mpimr::shared_array<double>::from_node_leader(ctx, [&] {
    ++made;
    std::vector<double> v(5'001);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.5 * static_cast<double>(i) - 3;
    return v;
  });
  ASSERT_EQ(xs.size(), 5'001U);
  for (std::size_t i = 0; i < xs.size(); ++i) ASSERT_EQ(xs[i], 0.5 * static_cast<double>(i) - 3);
  int makers = made;
  MPI_Allreduce(MPI_IN_PLACE, &makers, 1, MPI_INT, MPI_SUM, ctx.communicator());
  EXPECT_EQ(makers, ctx.node_count());
}

TEST_F(shared_array_test, DifferentSizesFailEveryRank) {
  if (ctx.size() == 1) GTEST_SKIP() << "one rank cannot disagree with itself";
  const std::uint64_t n = ctx.rank() == ctx.size() - 1 ? 11 : 10;
  try {
    mpimr::shared_array<int> xs(ctx, n, [](std::span<int>, std::uint64_t) {});
    FAIL() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("from 10 to 11"), std::string::npos) << e.what();
  }
}

TEST_F(shared_array_test, AThrowingFillFailsEveryRankAndTheContextGoesOn) {
  const int thrower = ctx.size() - 1;
  try {
    mpimr::shared_array<int> xs(ctx, 100, [&](std::span<int>, std::uint64_t) {
      if (ctx.rank() == thrower) throw std::runtime_error("cannot read points.csv");
    });
    FAIL() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read points.csv"), std::string::npos) << e.what();
  }
  try {
    auto xs = mpimr::shared_array<int>::from_node_leader(
        ctx, []() -> std::vector<int> { throw std::runtime_error("line 7: not a number"); });
    FAIL() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("line 7: not a number"), std::string::npos) << e.what();
  }
  // The next collective still works on every rank.
  const auto sum = mpimr::reduce(
      ctx, mpimr::index_range{0, 1000}, std::uint64_t{0},
      [](mpimr::chunk c) {
        std::uint64_t s = 0;
        for (auto i = c.begin; i < c.end; ++i) s += i;
        return s;
      },
      std::plus<>{});
  EXPECT_EQ(sum, 999U * 1000U / 2);
}

TEST_F(shared_array_test, RefillRewritesTheWholeArrayFromEachRanksShare) {
  // Each round derives every element from the previous round's array (as apps/pagerank derives
  // its weighted ranks from the ranks), on each node from that node's own copy.
  const std::uint64_t n = 50'021;
  mpimr::shared_array<std::uint64_t> source(ctx, n,
                                            [](std::span<std::uint64_t> part, std::uint64_t first) {
                                              for (std::size_t i = 0; i < part.size(); ++i)
                                                part[i] = value_at(first + i);
                                            });
  mpimr::shared_array<std::uint64_t> derived(ctx, n,
                                             [](std::span<std::uint64_t>, std::uint64_t) {});
  std::vector<std::uint64_t> expected(source.begin(), source.end());
  for (std::uint64_t round = 1; round <= 4; ++round) {
    std::uint64_t filled = 0;
    derived.refill(ctx, [&](std::span<std::uint64_t> part, std::uint64_t first) {
      filled += part.size();
      for (std::size_t i = 0; i < part.size(); ++i) part[i] = source[first + i] * 3 + round;
    });
    for (auto& e : expected) e = e * 3 + round;
    std::uint64_t wrong = 0;
    for (std::uint64_t i = 0; i < n; ++i) wrong += derived[i] != expected[i] ? 1 : 0;
    ASSERT_EQ(wrong, 0U) << "round " << round;
    // The shares are the constructor's: n per node in all.
    std::uint64_t total = filled;
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
    EXPECT_EQ(total, n * static_cast<std::uint64_t>(ctx.node_count()));
    std::swap(source, derived);
  }
  // A throwing refill fails every rank alike; the array can be refilled again afterwards.
  const int thrower = ctx.size() - 1;
  try {
    derived.refill(ctx, [&](std::span<std::uint64_t>, std::uint64_t) {
      if (ctx.rank() == thrower) throw std::runtime_error("refill failed here");
    });
    FAIL() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("refill failed here"), std::string::npos) << e.what();
  }
  derived.refill(ctx, [](std::span<std::uint64_t> part, std::uint64_t first) {
    for (std::size_t i = 0; i < part.size(); ++i) part[i] = first + i;
  });
  for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(derived[i], i);
  // An empty array: every rank gets an empty share.
  mpimr::shared_array<double> none(ctx, 0, [](std::span<double>, std::uint64_t) {});
  none.refill(ctx, [](std::span<double> part, std::uint64_t) { EXPECT_TRUE(part.empty()); });
  EXPECT_TRUE(none.empty());
}

struct alignas(64) wide_cell {
  double value;
  std::uint32_t index;
};

TEST_F(shared_array_test, OverAlignedElementsAndEmptyArrays) {
  mpimr::shared_array<wide_cell> cells(ctx, 37, [](std::span<wide_cell> part, std::uint64_t first) {
    for (std::size_t i = 0; i < part.size(); ++i) {
      part[i] =
          wide_cell{static_cast<double>(first + i) * 1.5, static_cast<std::uint32_t>(first + i)};
    }
  });
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(cells.data()) % 64, 0U);
  for (std::uint32_t i = 0; i < 37; ++i) {
    EXPECT_EQ(cells[i].index, i);
    EXPECT_EQ(cells[i].value, i * 1.5);
  }
  std::uint64_t calls = 0;
  mpimr::shared_array<double> none(ctx, 0, [&](std::span<double> part, std::uint64_t) {
    calls += 1;
    EXPECT_TRUE(part.empty());
  });
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(calls, 1U);
  mpimr::shared_array<double> unset;
  EXPECT_TRUE(unset.empty());
  EXPECT_TRUE(unset.span().empty());
}

TEST_F(shared_array_test, MovesAndManyArraysInTurn) {
  mpimr::shared_array<std::uint64_t> kept;
  for (std::uint64_t round = 0; round < 200; ++round) {
    mpimr::shared_array<std::uint64_t> xs(ctx, 257,
                                          [&](std::span<std::uint64_t> part, std::uint64_t first) {
                                            for (std::size_t i = 0; i < part.size(); ++i)
                                              part[i] = round * 1000 + first + i;
                                          });
    kept = std::move(xs);     // frees the previous round's window
    EXPECT_TRUE(xs.empty());  // NOLINT(bugprone-use-after-move): a moved-from array is empty
  }
  ASSERT_EQ(kept.size(), 257U);
  for (std::uint64_t i = 0; i < 257; ++i) ASSERT_EQ(kept[i], 199'000 + i);
}

/// Counts, over every rank, the elements of `xs` that differ from `want(i)`.
template <class T, class Want>
std::uint64_t wrong_anywhere(mpimr::context& ctx, const mpimr::shared_array<T>& xs, Want want) {
  std::uint64_t wrong = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) wrong += xs[i] == want(i) ? 0 : 1;
  MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
  return wrong;
}

TEST_F(shared_array_test, FillAndReduceIntoItGivesEveryRankTheSerialResult) {
  const mpimr::index_range range{5, 20'005};
  std::uint64_t serial_sum = 0;
  for (std::uint64_t i = range.begin; i < range.end; ++i) serial_sum += value_at(i) % 1000;
  mpimr::shared_array<std::uint64_t> out(
      ctx, range.size(),
      [](std::span<std::uint64_t> part, std::uint64_t) { std::fill(part.begin(), part.end(), 0); });
  using mpimr::schedule;
  for (schedule s : {schedule::static_blocks, schedule::dynamic, schedule::guided,
                     schedule::adaptive, schedule::automatic}) {
    for (std::uint64_t chunk_size : {0, 1, 97, 20'000, 50'000}) {
      const std::uint64_t salt = chunk_size * 8 + static_cast<std::uint64_t>(s);  // new each time
      const std::uint64_t sum =
          mpimr::fill_and_reduce(ctx, range, out, std::uint64_t{0},
                                 [&](const mpimr::chunk& c, std::span<std::uint64_t> slice) {
                                   std::uint64_t partial = 0;
                                   for (std::uint64_t i = c.begin; i < c.end; ++i) {
                                     slice[i - c.begin] = value_at(i) + salt;
                                     partial += value_at(i) % 1000;
                                   }
                                   return partial;
                                 },
                                 std::plus<>{}, {.schedule = s, .chunk_size = chunk_size});
      EXPECT_EQ(sum, serial_sum) << mpimr::to_string(s) << " chunk " << chunk_size;
      EXPECT_EQ(wrong_anywhere(ctx, out, [&](std::size_t k) { return value_at(5 + k) + salt; }), 0U)
          << mpimr::to_string(s) << " chunk " << chunk_size;
    }
  }
}

TEST_F(shared_array_test, JacobiSweepsWithTwoSharedArraysMatchASerialLoop) {
  // x'_i = (x_{i-1} + x_i + x_{i+1}) / 3 with fixed ends; the largest change is the partial.
  const std::uint64_t n = 4'099;
  const auto start = [](std::uint64_t i) { return std::sin(0.01 * static_cast<double>(i)) + 2; };
  std::vector<double> serial(n);
  for (std::uint64_t i = 0; i < n; ++i) serial[i] = start(i);
  mpimr::shared_array<double> x(ctx, n, [&](std::span<double> part, std::uint64_t first) {
    for (std::size_t k = 0; k < part.size(); ++k) part[k] = start(first + k);
  });
  mpimr::shared_array<double> next(ctx, n, [](std::span<double>, std::uint64_t) {});
  const auto sweep = [](std::span<const double> old, std::uint64_t i) {
    return i == 0 || i + 1 == old.size() ? old[i] : (old[i - 1] + old[i] + old[i + 1]) / 3;
  };
  for (int round = 0; round < 25; ++round) {
    const double change = mpimr::fill_and_reduce(
        ctx, mpimr::index_range{0, n}, next, 0.0,
        [&](const mpimr::chunk& c, std::span<double> slice) {
          double largest = 0;
          for (std::uint64_t i = c.begin; i < c.end; ++i) {
            slice[i - c.begin] = sweep(x.span(), i);
            largest = std::max(largest, std::abs(slice[i - c.begin] - x[i]));
          }
          return largest;
        },
        mpimr::maximum{}, {.schedule = mpimr::schedule::dynamic, .chunk_size = 61});
    std::vector<double> serial_next(n);
    double serial_change = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      serial_next[i] = sweep(serial, i);
      serial_change = std::max(serial_change, std::abs(serial_next[i] - serial[i]));
    }
    serial.swap(serial_next);
    std::swap(x, next);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(change), std::bit_cast<std::uint64_t>(serial_change))
        << "round " << round;
    ASSERT_EQ(wrong_anywhere(ctx, x, [&](std::size_t i) { return serial[i]; }), 0U)
        << "round " << round;
  }
}

TEST_F(shared_array_test, FillAndReduceRefusesAWrongSizeAndSurvivesAThrowingBody) {
  mpimr::shared_array<int> out(
      ctx, 10, [](std::span<int> part, std::uint64_t) { std::fill(part.begin(), part.end(), 7); });
  const auto count = [](const mpimr::chunk& c, std::span<int> slice) {
    std::fill(slice.begin(), slice.end(), 1);
    return static_cast<int>(c.size());
  };
  try {
    (void)mpimr::fill_and_reduce(ctx, mpimr::index_range{0, 11}, out, 0, count);
    FAIL() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("holds 10 elements but the range has 11"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(wrong_anywhere(ctx, out, [](std::size_t) { return 7; }), 0U);  // untouched
  const int thrower = ctx.size() - 1;
  try {
    (void)mpimr::fill_and_reduce(ctx, mpimr::index_range{0, 10}, out, 0,
                                 [&](const mpimr::chunk& c, std::span<int> slice) {
                                   if (ctx.rank() == thrower) throw std::runtime_error("bad row 3");
                                   return count(c, slice);
                                 },
                                 std::plus<>{},
                                 {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
    FAIL() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad row 3"), std::string::npos) << e.what();
  }
  // Both the context and the array go on.
  EXPECT_EQ(mpimr::fill_and_reduce(ctx, mpimr::index_range{0, 10}, out, 0, count), 10);
  EXPECT_EQ(wrong_anywhere(ctx, out, [](std::size_t) { return 1; }), 0U);
  mpimr::shared_array<int> none;
  EXPECT_EQ(mpimr::fill_and_reduce(ctx, mpimr::index_range{3, 3}, none, -5, count), -5);
}

}  // namespace
