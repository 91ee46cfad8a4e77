// Reductions of several results at once (std::tuple joined by mpimr::memberwise): per-cluster sums
// in an Eigen matrix, counts in an Eigen vector and a floating total, the same bits as a serial
// fold of the chunk tree in deterministic mode, at every rank count and schedule.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <tuple>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

using counts_vector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
using partial = std::tuple<Eigen::MatrixXd, counts_vector, double>;

constexpr Eigen::Index dims = 3;
constexpr Eigen::Index clusters = 4;

// Point i falls in cluster i % 4 (i*i % 7 for some variety); its coordinates span many magnitudes,
// so any change of summation order shows in the bits.
partial chunk_partial(const chunk& c) {
  partial p{Eigen::MatrixXd::Zero(dims, clusters), counts_vector::Zero(clusters), 0.0};
  for (auto i : c.indices()) {
    const auto k = static_cast<Eigen::Index>(i * i % 7 % clusters);
    for (Eigen::Index d = 0; d < dims; ++d) {
      std::get<0>(p)(d, k) += std::sin(static_cast<double>(i + 31 * d)) *
                              std::pow(10.0, static_cast<double>((i + d) % 13) - 6.0);
    }
    std::get<1>(p)(k) += 1;
    std::get<2>(p) += std::cos(static_cast<double>(i)) * 1e3;
  }
  return p;
}

partial identity() {
  return {Eigen::MatrixXd::Zero(dims, clusters), counts_vector::Zero(clusters), 0.0};
}

// The deterministic tree evaluated serially (see test_deterministic.cpp).
partial tree_node(const std::vector<partial>& leaves, unsigned level, std::uint64_t index) {
  if (level == 0) return leaves[index];
  partial left = tree_node(leaves, level - 1, 2 * index);
  if (((2 * index + 1) << (level - 1)) >= leaves.size()) return left;
  return mpimr::memberwise{}(left, tree_node(leaves, level - 1, 2 * index + 1));
}

bool same_bits(const partial& a, const partial& b) {
  const auto& [sa, ca, ta] = a;
  const auto& [sb, cb, tb] = b;
  if (sa.rows() != sb.rows() || sa.cols() != sb.cols() || ca.size() != cb.size()) return false;
  for (Eigen::Index i = 0; i < sa.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(sa.data()[i]) != std::bit_cast<std::uint64_t>(sb.data()[i])) {
      return false;
    }
  }
  return (ca.array() == cb.array()).all() &&
         std::bit_cast<std::uint64_t>(ta) == std::bit_cast<std::uint64_t>(tb);
}

class memberwise_reduce_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
};

TEST_F(memberwise_reduce_test, DeterministicTupleEqualsSerialTreeBitwise) {
  const index_range r{0, 4099};
  for (std::uint64_t chunk_size : {1, 64, 1000}) {
    std::vector<partial> leaves;
    for (std::uint64_t b = r.begin; b < r.end; b += chunk_size) {
      leaves.push_back(chunk_partial({leaves.size(), b, std::min(b + chunk_size, r.end)}));
    }
    const auto levels =
        static_cast<unsigned>(leaves.size() <= 1 ? 0 : std::bit_width(leaves.size() - 1));
    const partial expected = tree_node(leaves, levels, 0);
    for (schedule s :
         {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
      const partial got =
          mpimr::reduce(ctx, r, identity(), chunk_partial, mpimr::memberwise{},
                        {.schedule = s, .chunk_size = chunk_size, .deterministic = true});
      EXPECT_TRUE(same_bits(got, expected)) << to_string(s) << " chunk " << chunk_size;
    }
  }
}

TEST_F(memberwise_reduce_test, UnorderedTupleCountsExactlyAndSumsClosely) {
  const index_range r{0, 5000};
  const partial got = mpimr::reduce(ctx, r, identity(), chunk_partial, mpimr::memberwise{},
                                    {.schedule = schedule::dynamic, .chunk_size = 37});
  const partial serial = chunk_partial({0, r.begin, r.end});
  EXPECT_TRUE((std::get<1>(got).array() == std::get<1>(serial).array()).all());
  EXPECT_EQ(std::get<1>(got).sum(), 5000);
  // Terms reach 1e6: another summation order moves the sums by a few units in the last place.
  EXPECT_LE((std::get<0>(got) - std::get<0>(serial)).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_NEAR(std::get<2>(got), std::get<2>(serial), 1e-7);
}

TEST_F(memberwise_reduce_test, OneJoinPerMemberAcrossRanks) {
  // Smallest index, largest index and number of indices, in one reduction.
  using t = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>;
  const t got = mpimr::reduce(ctx, index_range{7, 1234}, t{UINT64_MAX, 0, 0},
                              [](const chunk& c) {
                                return t{c.begin, c.end - 1, c.size()};
                              },
                              mpimr::memberwise{mpimr::minimum{}, mpimr::maximum{}, std::plus<>{}},
                              {.schedule = schedule::dynamic, .chunk_size = 10});
  EXPECT_EQ(got, (t{7, 1233, 1227}));
}

TEST_F(memberwise_reduce_test, EmptyRangeGivesIdentity) {
  const partial got = mpimr::reduce(ctx, index_range{5, 5}, identity(), chunk_partial,
                                    mpimr::memberwise{}, {.deterministic = true});
  EXPECT_TRUE(same_bits(got, identity()));
}

}  // namespace
