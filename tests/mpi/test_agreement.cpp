// broadcast and fail_together: every root, values of several kinds against what the root holds,
// bad and disagreeing roots, and failures seen by one rank, by several, or by none.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <vector>

namespace {

struct sample {
  std::int32_t id;
  std::int32_t count;
  double weight;
};

/// What `root` holds before the broadcast: different on every rank, known to every rank.
std::string text_of(int rank) { return "rank " + std::to_string(rank) + std::string(rank, '!'); }

TEST(agreement_test, BroadcastFromEveryRoot) {
  mpimr::context ctx;
  for (int root = 0; root < ctx.size(); ++root) {
    std::uint64_t number = 1000U + static_cast<std::uint64_t>(ctx.rank());
    std::string text = text_of(ctx.rank());
    std::vector<double> values(static_cast<std::size_t>(ctx.rank()) + 2, 0.5 * ctx.rank());
    Eigen::MatrixXd matrix = Eigen::MatrixXd::Constant(2, ctx.rank() + 1, ctx.rank() + 0.25);
    sample s{ctx.rank(), 7 * ctx.rank(), ctx.rank() / 3.0};
    std::array<std::int16_t, 3> triple{static_cast<std::int16_t>(ctx.rank()), -1, 2};

    mpimr::broadcast(ctx, number, root);
    mpimr::broadcast(ctx, text, root);
    mpimr::broadcast(ctx, values, root);
    mpimr::broadcast(ctx, matrix, root);
    mpimr::broadcast(ctx, s, root);
    mpimr::broadcast(ctx, triple, root);

    EXPECT_EQ(number, 1000U + static_cast<std::uint64_t>(root));
    EXPECT_EQ(text, text_of(root));
    EXPECT_EQ(values, std::vector<double>(static_cast<std::size_t>(root) + 2, 0.5 * root));
    EXPECT_EQ(matrix, Eigen::MatrixXd::Constant(2, root + 1, root + 0.25));
    EXPECT_EQ(s.id, root);
    EXPECT_EQ(s.count, 7 * root);
    EXPECT_EQ(s.weight, root / 3.0);
    EXPECT_EQ(triple, (std::array<std::int16_t, 3>{static_cast<std::int16_t>(root), -1, 2}));
  }
}

TEST(agreement_test, BroadcastOfALargeBuffer) {
  mpimr::context ctx;
  std::vector<std::uint8_t> bytes;
  if (ctx.rank() == 0) {
    bytes.resize(3'000'000);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 31);
  }
  mpimr::broadcast(ctx, bytes);
  ASSERT_EQ(bytes.size(), 3'000'000U);
  for (std::size_t i = 0; i < bytes.size(); i += 4999) {
    ASSERT_EQ(bytes[i], static_cast<std::uint8_t>(i * 31)) << i;
  }
}

TEST(agreement_test, BadOrDisagreeingRootsThrowEverywhere) {
  mpimr::context ctx;
  int value = ctx.rank();
  EXPECT_THROW(mpimr::broadcast(ctx, value, ctx.size()), mpimr::invalid_argument);
  EXPECT_THROW(mpimr::broadcast(ctx, value, -1), mpimr::invalid_argument);
  if (ctx.size() > 1) {
    try {
      mpimr::broadcast(ctx, value, ctx.rank() == 0 ? 1 : 0);
      ADD_FAILURE() << "different roots were accepted";
    } catch (const mpimr::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("different roots"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(value, ctx.rank()) << "a refused broadcast changed the value";
  // The context still works afterwards.
  mpimr::broadcast(ctx, value, 0);
  EXPECT_EQ(value, 0);
}

TEST(agreement_test, FailTogetherReturnsWhenNoRankFailed) {
  mpimr::context ctx;
  EXPECT_NO_THROW(mpimr::fail_together(ctx, std::nullopt));
}

TEST(agreement_test, OneFailingRankFailsEveryRank) {
  mpimr::context ctx;
  for (int failing = 0; failing < ctx.size(); ++failing) {
    std::optional<std::string> mine;
    if (ctx.rank() == failing) mine = "cannot read 'input.csv'";
    try {
      mpimr::fail_together(ctx, mine);
      ADD_FAILURE() << "no exception for a failure on rank " << failing;
    } catch (const mpimr::invalid_argument& e) {
      const std::string expected =
          failing == 0 ? "cannot read 'input.csv'"
                       : "cannot read 'input.csv' (on rank " + std::to_string(failing) + ")";
      EXPECT_EQ(std::string(e.what()), expected);
    }
  }
}

TEST(agreement_test, TheLowestFailingRankSpeaks) {
  mpimr::context ctx;
  if (ctx.size() < 2) GTEST_SKIP() << "needs two ranks";
  // Ranks 1 and up fail, each with its own message: rank 1's wins.
  std::optional<std::string> mine;
  if (ctx.rank() >= 1) mine = "problem on " + std::to_string(ctx.rank());
  try {
    mpimr::fail_together(ctx, mine);
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "problem on 1 (on rank 1)");
  }
}

}  // namespace
