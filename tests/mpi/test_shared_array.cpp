// mpimr::shared_array: each rank fills only its share yet reads the whole array (so the ranks of a
// node share one copy), the node-leader form runs its maker once per node, and mismatched sizes or
// a throwing fill fail every rank alike.
#include <gtest/gtest.h>

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <span>
#include <stdexcept>
#include <string>
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

}  // namespace
