// Deterministic mode: results are bitwise equal to a serial evaluation of the fixed chunk tree, so
// they are the same bits at every rank count and schedule, for floating-point joins too.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

// Terms spanning 16 orders of magnitude with both signs: any change of summation order shows.
double term(std::uint64_t i) {
  return std::sin(static_cast<double>(i)) * std::pow(10.0, static_cast<double>(i % 17) - 8.0);
}

double chunk_sum(const chunk& c) {
  double s = 0;
  for (auto i : c.indices()) s += term(i);
  return s;
}

// The tree the design specifies, evaluated serially: node (l, i) joins its children, or is its left
// child alone when the right one starts past the last chunk.
template <class T, class Join>
T tree_node(const std::vector<T>& leaves, unsigned level, std::uint64_t index, Join join) {
  if (level == 0) return leaves[index];
  T left = tree_node(leaves, level - 1, 2 * index, join);
  if (((2 * index + 1) << (level - 1)) >= leaves.size()) return left;
  return join(left, tree_node(leaves, level - 1, 2 * index + 1, join));
}

template <class T, class Join>
T serial_tree(const std::vector<T>& leaves, Join join) {
  const auto levels =
      static_cast<unsigned>(leaves.size() <= 1 ? 0 : std::bit_width(leaves.size() - 1));
  return tree_node(leaves, levels, 0, join);
}

std::vector<chunk> chunks_of(index_range r, std::uint64_t chunk_size) {
  std::vector<chunk> out;
  for (std::uint64_t b = r.begin, id = 0; b < r.end; b += chunk_size, ++id) {
    out.push_back({id, b, std::min(b + chunk_size, r.end)});
  }
  return out;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

class deterministic_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
};

TEST_F(deterministic_test, FloatingSumEqualsSerialTreeBitwise) {
  const index_range r{0, 5000};
  for (std::uint64_t chunk_size : {1, 3, 64, 333, 5000}) {
    std::vector<double> leaves;
    for (const chunk& c : chunks_of(r, chunk_size)) leaves.push_back(chunk_sum(c));
    const double expected = serial_tree(leaves, std::plus<>{});
    for (schedule s :
         {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
      const double got =
          mpimr::reduce(ctx, r, 0.0, chunk_sum, std::plus<>{},
                        {.schedule = s, .chunk_size = chunk_size, .deterministic = true});
      EXPECT_EQ(bits(got), bits(expected))
          << to_string(s) << " chunk " << chunk_size << ": " << got << " vs " << expected;
    }
  }
}

TEST_F(deterministic_test, UserJoinAndEigenVectorsEqualSerialTree) {
  const index_range r{0, 777};
  auto body = [](const chunk& c) {
    Eigen::Vector3d v = Eigen::Vector3d::Zero();
    for (auto i : c.indices()) v += Eigen::Vector3d(term(i), term(i + 1) * 3, -term(i * 7));
    return v;
  };
  auto join = [](const Eigen::Vector3d& a, const Eigen::Vector3d& b) -> Eigen::Vector3d {
    return a + b;
  };
  std::vector<Eigen::Vector3d> leaves;
  for (const chunk& c : chunks_of(r, 10)) leaves.push_back(body(c));
  const Eigen::Vector3d expected = serial_tree(leaves, join);
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    const Eigen::Vector3d got =
        mpimr::reduce(ctx, r, Eigen::Vector3d(Eigen::Vector3d::Zero()), body, join,
                      {.schedule = s, .chunk_size = 10, .deterministic = true});
    for (int k = 0; k < 3; ++k) EXPECT_EQ(bits(got(k)), bits(expected(k))) << to_string(s);
  }
}

TEST_F(deterministic_test, MonteCarloWithChunkRngIsRankCountIndependent) {
  const std::uint64_t seed = 20261125;
  auto body = [&](const chunk& c) {
    mpimr::chunk_rng rng(seed, c);
    double s = 0;
    for ([[maybe_unused]] auto i : c.indices()) s += std::exp(-rng.uniform());
    return s;
  };
  const index_range r{0, 200000};
  std::vector<double> leaves;
  for (const chunk& c : chunks_of(r, 1000)) leaves.push_back(body(c));
  const double expected = serial_tree(leaves, std::plus<>{});
  const double got =
      mpimr::reduce(ctx, r, 0.0, body, std::plus<>{},
                    {.schedule = schedule::dynamic, .chunk_size = 1000, .deterministic = true});
  EXPECT_EQ(bits(got), bits(expected));
  // And it estimates the integral of exp(-x) over [0,1].
  EXPECT_NEAR(got / 200000.0, 1.0 - std::exp(-1.0), 5e-3);
}

TEST_F(deterministic_test, NonCommutativeJoinKeepsChunkOrderWithDynamicSchedule) {
  auto text = mpimr::reduce(
      ctx, index_range{0, 300}, std::string{},
      [](const chunk& c) {
        std::string s;
        for (auto i : c.indices()) s += std::to_string(i) + ",";
        return s;
      },
      [](std::string a, const std::string& b) { return a + b; },
      {.schedule = schedule::dynamic, .chunk_size = 7, .deterministic = true});
  std::string expected;
  for (int i = 0; i < 300; ++i) expected += std::to_string(i) + ",";
  EXPECT_EQ(text, expected);
}

TEST_F(deterministic_test, EmptyRangeGivesIdentity) {
  EXPECT_EQ(mpimr::reduce(ctx, index_range{9, 9}, -1.5, chunk_sum, std::plus<>{},
                          {.deterministic = true}),
            -1.5);
}

}  // namespace
