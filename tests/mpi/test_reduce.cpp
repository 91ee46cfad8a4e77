// mpimr::reduce and transform_reduce against serial references, for every schedule, chunk size and
// result type (fast MPI path, general join path, Boost serialization path).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <array>
#include <complex>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <mpimr/mpimr.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace {

// Not "r" + std::to_string(...): g++ 12 at -O3 warns falsely (-Wrestrict) on that expression.
std::string key_for(std::uint64_t i) { return std::string("r").append(std::to_string(i % 7)); }

using mpimr::chunk;
using mpimr::index_range;
using mpimr::schedule;

const std::vector<schedule> all_schedules{schedule::automatic, schedule::static_blocks,
                                          schedule::dynamic, schedule::guided, schedule::adaptive};

std::uint64_t serial_sum_of_squares(std::uint64_t begin, std::uint64_t end) {
  std::uint64_t s = 0;
  for (std::uint64_t i = begin; i < end; ++i) s += i * i;
  return s;
}

auto sum_of_squares_body = [](const chunk& c) {
  std::uint64_t s = 0;
  for (auto i : c.indices()) s += i * i;
  return s;
};

class reduce_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
};

TEST_F(reduce_test, SumMatchesSerialForEveryScheduleAndChunkSize) {
  for (schedule s : all_schedules) {
    for (std::uint64_t chunk_size : {0, 1, 7, 1000, 5000}) {
      const auto got =
          mpimr::reduce(ctx, index_range{3, 2003}, std::uint64_t{0}, sum_of_squares_body,
                        std::plus<>{}, {.schedule = s, .chunk_size = chunk_size});
      EXPECT_EQ(got, serial_sum_of_squares(3, 2003)) << to_string(s) << " chunk " << chunk_size;
    }
  }
}

TEST_F(reduce_test, EveryChunkRunsExactlyOnce) {
  for (schedule s : all_schedules) {
    const std::uint64_t n = 997;
    // Each chunk contributes a one-hot count vector; any chunk run twice or never shows up.
    auto counts = mpimr::reduce(ctx, index_range{0, n}, std::vector<int>(n, 0),
                                [&](const chunk& c) {
                                  std::vector<int> v(n, 0);
                                  for (auto i : c.indices()) v[i] += 1;
                                  return v;
                                },
                                std::plus<>{}, {.schedule = s, .chunk_size = 3});
    EXPECT_EQ(counts, std::vector<int>(n, 1)) << to_string(s);
  }
}

TEST_F(reduce_test, EmptyRangeReturnsIdentity) {
  for (schedule s : all_schedules) {
    int calls = 0;
    const auto got = mpimr::reduce(ctx, index_range{5, 5}, 42.5,
                                   [&](const chunk&) {
                                     ++calls;
                                     return 1.0;
                                   },
                                   std::plus<>{}, {.schedule = s});
    EXPECT_EQ(got, 42.5);
    EXPECT_EQ(calls, 0);
  }
}

TEST_F(reduce_test, FewerItemsThanRanks) {
  for (schedule s : all_schedules) {
    const auto got = mpimr::reduce(ctx, index_range{10, 12}, std::uint64_t{0}, sum_of_squares_body,
                                   std::plus<>{}, {.schedule = s, .chunk_size = 1});
    EXPECT_EQ(got, 100U + 121U);
  }
}

TEST_F(reduce_test, HugeRangesDoNotOverflow) {
  const std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
  for (schedule s : all_schedules) {
    // Counts indices without visiting them: the whole 64-bit range, and a range ending at the top.
    auto count = [](const chunk& c) { return c.end - c.begin; };
    EXPECT_EQ(mpimr::reduce(ctx, index_range{0, top}, std::uint64_t{0}, count, std::plus<>{},
                            {.schedule = s}),
              top);
    EXPECT_EQ(mpimr::reduce(ctx, index_range{top - 100, top}, std::uint64_t{0}, count,
                            std::plus<>{}, {.schedule = s, .chunk_size = 1}),
              100U);
    const auto last_end = mpimr::reduce(ctx, index_range{top - 1000, top}, std::uint64_t{0},
                                        [](const chunk& c) { return c.end; }, mpimr::maximum{},
                                        {.schedule = s, .chunk_size = 7});
    EXPECT_EQ(last_end, top);
  }
}

TEST_F(reduce_test, ArithmeticTypesAndBuiltinJoins) {
  const index_range r{1, 21};
  EXPECT_EQ(mpimr::reduce(ctx, r, 1.0,
                          [](const chunk& c) {
                            double p = 1;
                            for (auto i : c.indices()) p *= static_cast<double>(i);
                            return p;
                          },
                          std::multiplies<>{}, {.chunk_size = 3}),
            2432902008176640000.0);  // 20!
  EXPECT_EQ(mpimr::reduce(ctx, r, std::numeric_limits<int>::max(),
                          [](const chunk& c) { return static_cast<int>(c.begin) * 3 - 40; },
                          mpimr::minimum{}, {.chunk_size = 1}),
            1 * 3 - 40);
  EXPECT_EQ(mpimr::reduce(ctx, r, 0.0F, [](const chunk& c) { return static_cast<float>(c.end); },
                          mpimr::maximum{}, {.chunk_size = 4}),
            21.0F);
  EXPECT_EQ(mpimr::reduce(ctx, r, std::uint32_t{0},
                          [](const chunk& c) { return std::uint32_t{1} << c.begin; },
                          std::bit_or<>{}, {.chunk_size = 1}),
            ((std::uint32_t{1} << 21U) - 2U));
  const auto z = mpimr::reduce(ctx, r, std::complex<double>{},
                               [](const chunk& c) {
                                 std::complex<double> s;
                                 for (auto i : c.indices())
                                   s += std::complex<double>(1.0, static_cast<double>(i));
                                 return s;
                               },
                               std::plus<>{}, {.chunk_size = 2});
  EXPECT_EQ(z, std::complex<double>(20.0, 210.0));
}

TEST_F(reduce_test, EigenDenseTypes) {
  const std::uint64_t n = 300;
  Eigen::VectorXd expected_v = Eigen::VectorXd::Zero(4);
  Eigen::Matrix3d expected_m = Eigen::Matrix3d::Zero();
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto x = static_cast<double>(i);
    expected_v += Eigen::Vector4d(1.0, x, x * x, -x);
    expected_m += Eigen::Matrix3d::Constant(x) + Eigen::Matrix3d::Identity();
  }
  for (schedule s : all_schedules) {
    auto v = mpimr::reduce(ctx, index_range{0, n}, Eigen::VectorXd(Eigen::VectorXd::Zero(4)),
                           [](const chunk& c) {
                             Eigen::VectorXd acc = Eigen::VectorXd::Zero(4);
                             for (auto i : c.indices()) {
                               const auto x = static_cast<double>(i);
                               acc += Eigen::Vector4d(1.0, x, x * x, -x);
                             }
                             return acc;
                           },
                           std::plus<>{}, {.schedule = s, .chunk_size = 11});
    EXPECT_TRUE(v.isApprox(expected_v, 1e-12)) << v.transpose();
    auto m = mpimr::reduce(ctx, index_range{0, n}, Eigen::Matrix3d(Eigen::Matrix3d::Zero()),
                           [](const chunk& c) {
                             Eigen::Matrix3d acc = Eigen::Matrix3d::Zero();
                             for (auto i : c.indices())
                               acc += Eigen::Matrix3d::Constant(static_cast<double>(i)) +
                                      Eigen::Matrix3d::Identity();
                             return acc;
                           },
                           std::plus<>{}, {.schedule = s, .chunk_size = 13});
    EXPECT_TRUE(m.isApprox(expected_m, 1e-12));
  }
  // Element-wise product of arrays is a built-in op; a matrix product is a general join.
  auto a = mpimr::reduce(
      ctx, index_range{1, 9}, Eigen::ArrayXd(Eigen::ArrayXd::Ones(2)),
      [](const chunk& c) {
        return Eigen::ArrayXd(Eigen::ArrayXd::Constant(2, static_cast<double>(c.begin)));
      },
      std::multiplies<>{}, {.chunk_size = 1});
  EXPECT_EQ(a(0), 40320.0);
  Eigen::Matrix2d rotation_step;
  rotation_step << 1, 1, 0, 1;  // unipotent: the product of k of them is [[1,k],[0,1]]
  auto product = mpimr::reduce(
      ctx, index_range{0, 57}, Eigen::Matrix2d(Eigen::Matrix2d::Identity()),
      [&](const chunk& c) {
        Eigen::Matrix2d p = Eigen::Matrix2d::Identity();
        for ([[maybe_unused]] auto i : c.indices()) p = p * rotation_step;
        return p;
      },
      [](const Eigen::Matrix2d& x, const Eigen::Matrix2d& y) -> Eigen::Matrix2d { return x * y; },
      {.chunk_size = 5});
  EXPECT_EQ(product(0, 1), 57.0);
}

TEST_F(reduce_test, EigenExpressionAsIdentityIsEvaluated) {
  // VectorXd::Zero(3) is an expression type; the result must be a plain VectorXd.
  auto v = mpimr::reduce(
      ctx, index_range{0, 10}, Eigen::VectorXd::Zero(3),
      [](const chunk& c) {
        return Eigen::VectorXd(Eigen::VectorXd::Constant(3, static_cast<double>(c.size())));
      },
      std::plus<>{}, {.chunk_size = 3});
  static_assert(std::is_same_v<decltype(v), Eigen::VectorXd>);
  EXPECT_EQ(v, Eigen::VectorXd::Constant(3, 10.0));
  auto w = mpimr::transform_reduce(
      ctx, index_range{0, 4}, Eigen::Vector2d::Ones(), std::plus<>{},
      [](std::uint64_t i) { return Eigen::Vector2d(static_cast<double>(i), 1.0); });
  static_assert(std::is_same_v<decltype(w), Eigen::Vector2d>);
  EXPECT_EQ(w, Eigen::Vector2d(7.0, 5.0));
}

TEST_F(reduce_test, VectorsAndArraysJoinElementWise) {
  auto v = mpimr::reduce(ctx, index_range{0, 100}, std::vector<double>(3, 0.0),
                         [](const chunk& c) {
                           std::vector<double> out(3, 0.0);
                           for (auto i : c.indices()) {
                             out[0] += 1;
                             out[1] += static_cast<double>(i);
                             out[2] += static_cast<double>(i % 2);
                           }
                           return out;
                         },
                         std::plus<>{}, {.chunk_size = 9});
  EXPECT_EQ(v, (std::vector<double>{100, 4950, 50}));
  auto a = mpimr::reduce(
      ctx, index_range{0, 100}, std::array<int, 2>{INT32_MIN, INT32_MIN},
      [](const chunk& c) {
        return std::array<int, 2>{static_cast<int>(c.end), -static_cast<int>(c.begin)};
      },
      mpimr::maximum{}, {.chunk_size = 6});
  EXPECT_EQ(a, (std::array<int, 2>{100, 0}));
}

struct moments {
  double sum = 0;
  double sum_squares = 0;
  std::uint64_t count = 0;
};

TEST_F(reduce_test, SmallAggregateWithCustomJoin) {
  for (schedule s : all_schedules) {
    auto m = mpimr::reduce(
        ctx, index_range{0, 1000}, moments{},
        [](const chunk& c) {
          moments out;
          for (auto i : c.indices()) {
            out.sum += static_cast<double>(i);
            out.sum_squares += static_cast<double>(i * i);
            ++out.count;
          }
          return out;
        },
        [](moments a, const moments& b) {
          a.sum += b.sum;
          a.sum_squares += b.sum_squares;
          a.count += b.count;
          return a;
        },
        {.schedule = s, .chunk_size = 37});
    EXPECT_EQ(m.count, 1000U);
    EXPECT_EQ(m.sum, 499500.0);
    EXPECT_EQ(m.sum_squares, static_cast<double>(serial_sum_of_squares(0, 1000)));
  }
}

TEST_F(reduce_test, BoostSerializableTypeWithCustomJoin) {
  // Histogram of i % 7 keyed by name: a std::map travels through Boost.Serialization.
  using histogram = std::map<std::string, int>;
  auto h = mpimr::reduce(
      ctx, index_range{0, 500}, histogram{},
      [](const chunk& c) {
        histogram out;
        for (auto i : c.indices()) out[key_for(i)] += 1;
        return out;
      },
      [](histogram a, const histogram& b) {
        for (const auto& [k, v] : b) a[k] += v;
        return a;
      },
      {.schedule = schedule::dynamic, .chunk_size = 13});
  histogram expected;
  for (int i = 0; i < 500; ++i) expected[key_for(static_cast<std::uint64_t>(i))] += 1;
  EXPECT_EQ(h, expected);
}

TEST_F(reduce_test, NonCommutativeJoinKeepsChunkOrderWithStaticBlocks) {
  auto text = mpimr::reduce(
      ctx, index_range{0, 26}, std::string{},
      [](const chunk& c) {
        std::string s;
        for (auto i : c.indices()) s += static_cast<char>('a' + i);
        return s;
      },
      [](std::string a, const std::string& b) { return a + b; },
      {.schedule = schedule::static_blocks, .chunk_size = 3});
  EXPECT_EQ(text, "abcdefghijklmnopqrstuvwxyz");
}

/// A 2x2 matrix modulo a prime: its product is associative but not commutative, and it is
/// trivially copyable, so the ranks' partials are joined by one MPI_Allreduce with the join as a
/// non-commutative operation (detail/fixed_allreduce.hpp).
struct mat2 {
  static constexpr std::uint64_t prime = 1000003;
  std::uint64_t a = 1, b = 0, c = 0, d = 1;
  friend mat2 operator*(const mat2& x, const mat2& y) {
    return {(x.a * y.a + x.b * y.c) % prime, (x.a * y.b + x.b * y.d) % prime,
            (x.c * y.a + x.d * y.c) % prime, (x.c * y.b + x.d * y.d) % prime};
  }
  friend bool operator==(const mat2&, const mat2&) = default;
};
static_assert(std::is_trivially_copyable_v<mat2>);

mat2 step_matrix(std::uint64_t i) { return {i % 7 + 1, 1, i % 3, 2}; }

TEST_F(reduce_test, NonCommutativeTriviallyCopyableJoinKeepsRankOrder) {
  // 40 chunks over ranks of different sizes, and a range with fewer chunks than ranks (ranks
  // without a partial must not shift the order).
  for (const std::uint64_t n : {std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{199}}) {
    mat2 expected;
    for (std::uint64_t i = 0; i < n; ++i) expected = expected * step_matrix(i);
    ASSERT_FALSE(n > 3 && step_matrix(0) * step_matrix(1) == step_matrix(1) * step_matrix(0));
    const mat2 got = mpimr::reduce(
        ctx, index_range{0, n}, mat2{},
        [](const chunk& c) {
          mat2 product;
          for (auto i : c.indices()) product = product * step_matrix(i);
          return product;
        },
        [](const mat2& x, const mat2& y) { return x * y; },
        {.schedule = schedule::static_blocks,
         .chunk_size = n > 3 ? std::uint64_t{5} : std::uint64_t{1}});
    EXPECT_EQ(got, expected) << "n " << n;
  }
}

TEST_F(reduce_test, TransformReduceJoinsInitOnce) {
  for (schedule s : all_schedules) {
    // init 1000 is not an identity: it must be counted once, whatever the rank count.
    EXPECT_EQ(
        mpimr::transform_reduce(ctx, index_range{0, 1001}, std::int64_t{1000}, std::plus<>{},
                                [](std::uint64_t i) { return static_cast<std::int64_t>(i) * 2; },
                                {.schedule = s, .chunk_size = 10}),
        1000 + 1000 * 1001);
    EXPECT_EQ(mpimr::transform_reduce(ctx, index_range{7, 7}, 5.0, std::plus<>{},
                                      [](std::uint64_t) { return 1.0; }, {.schedule = s}),
              5.0);
    const auto text = mpimr::transform_reduce(
        ctx, index_range{0, 10}, std::string{">"},
        [](std::string a, const std::string& b) { return a + b; },
        [](std::uint64_t i) { return std::to_string(i); },
        {.schedule = s, .chunk_size = 2, .deterministic = true});
    EXPECT_EQ(text, ">0123456789");
  }
}

TEST_F(reduce_test, ResultIsTheSameOnEveryRank) {
  const double mine =
      mpimr::reduce(ctx, index_range{0, 10000}, 0.0,
                    [](const chunk& c) {
                      double s = 0;
                      for (auto i : c.indices()) s += 1.0 / (1.0 + static_cast<double>(i));
                      return s;
                    },
                    std::plus<>{}, {.schedule = schedule::dynamic, .chunk_size = 17});
  double lowest = mine;
  double highest = mine;
  MPI_Allreduce(&mine, &lowest, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&mine, &highest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(lowest, highest);
}

}  // namespace
