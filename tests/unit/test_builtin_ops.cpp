// Unit tests of the joins MPI applies itself: mpimr::minimum / maximum act element-wise, builtin_op
// applies each op exactly as a plain per-element loop would, neutral elements are identities, shape
// mismatches are caught, and matrix products are never mistaken for element-wise ops.
#include <gtest/gtest.h>
#include <mpi.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "mpimr/detail/builtin_ops.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/joins.hpp"
#include "unit_support.hpp"

namespace {

using mpimr::detail::builtin_join;
using mpimr::detail::builtin_op;
using mpimr::detail::neutral_like;

std::vector<int> random_ints(std::size_t n, std::mt19937& gen) {
  std::uniform_int_distribution<int> dist(-1000, 1000);
  std::vector<int> v(n);
  for (int& x : v) x = dist(gen);
  return v;
}

Eigen::VectorXd random_eigen(Eigen::Index n, std::mt19937& gen) {
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v(i) = dist(gen);
  return v;
}

// --- compile-time classification
// ------------------------------------------------------------------

static_assert(builtin_join<std::plus<>, int>);
static_assert(builtin_join<std::plus<int>, int>);
static_assert(!builtin_join<std::plus<long>, int>);
static_assert(builtin_join<std::plus<>, std::vector<double>>);
static_assert(builtin_join<std::plus<>, Eigen::MatrixXd>);
static_assert(builtin_join<std::plus<>, std::complex<double>>);
static_assert(builtin_join<const std::plus<>&, double>);
static_assert(builtin_join<mpimr::minimum, std::vector<int>>);
static_assert(builtin_join<mpimr::maximum, Eigen::VectorXd>);
static_assert(
    !builtin_join<mpimr::minimum, std::complex<double>>);  // complex numbers have no order
static_assert(!builtin_join<std::plus<>, std::string>);
static_assert(!builtin_join<std::plus<>, std::vector<std::string>>);
static_assert(builtin_join<std::bit_xor<>, std::vector<std::uint32_t>>);
static_assert(!builtin_join<std::bit_and<>, double>);
static_assert(!builtin_join<std::bit_or<>, bool>);
// std::multiplies on an Eigen matrix is the matrix product: not element-wise, not MPI_PROD.
static_assert(!builtin_join<std::multiplies<>, Eigen::MatrixXd>);
static_assert(!builtin_join<std::multiplies<>, Eigen::Matrix3d>);
static_assert(builtin_join<std::multiplies<>, Eigen::ArrayXd>);
static_assert(builtin_join<std::multiplies<>, Eigen::ArrayXXf>);
static_assert(builtin_join<std::multiplies<>, std::vector<double>>);

TEST(BuiltinOps, MultipliesIsBuiltinForArraysOnly) {
  EXPECT_FALSE((builtin_join<std::multiplies<>, Eigen::MatrixXd>));
  EXPECT_TRUE((builtin_join<std::multiplies<>, Eigen::ArrayXd>));
}

TEST(BuiltinOps, MpiOpsAndDatatypes) {
  EXPECT_EQ((builtin_op<std::plus<>, double>::mpi_op()), MPI_SUM);
  EXPECT_EQ((builtin_op<std::multiplies<>, Eigen::ArrayXd>::mpi_op()), MPI_PROD);
  EXPECT_EQ((builtin_op<mpimr::minimum, std::vector<int>>::mpi_op()), MPI_MIN);
  EXPECT_EQ((builtin_op<mpimr::maximum, Eigen::VectorXf>::mpi_op()), MPI_MAX);
  EXPECT_EQ((builtin_op<std::bit_and<>, std::uint64_t>::mpi_op()), MPI_BAND);
  EXPECT_EQ((builtin_op<std::bit_or<>, int>::mpi_op()), MPI_BOR);
  EXPECT_EQ((builtin_op<std::bit_xor<>, short>::mpi_op()), MPI_BXOR);

  EXPECT_EQ(mpimr::detail::mpi_datatype<double>(), MPI_DOUBLE);
  EXPECT_EQ(mpimr::detail::mpi_datatype<float>(), MPI_FLOAT);
  EXPECT_EQ(mpimr::detail::mpi_datatype<std::int32_t>(), MPI_INT32_T);
  EXPECT_EQ(mpimr::detail::mpi_datatype<long long>(), MPI_INT64_T);
  EXPECT_EQ(mpimr::detail::mpi_datatype<std::uint64_t>(), MPI_UINT64_T);
  EXPECT_EQ(mpimr::detail::mpi_datatype<std::size_t>(), MPI_UINT64_T);
  EXPECT_EQ(mpimr::detail::mpi_datatype<std::uint8_t>(), MPI_UINT8_T);
  EXPECT_EQ(mpimr::detail::mpi_datatype<std::complex<double>>(), MPI_C_DOUBLE_COMPLEX);
  EXPECT_EQ(mpimr::detail::mpi_datatype<bool>(), MPI_C_BOOL);
}

// --- minimum / maximum
// ------------------------------------------------------------------------------

TEST(BuiltinOps, MinimumMaximumOnScalars) {
  EXPECT_EQ(mpimr::minimum{}(3, -4), -4);
  EXPECT_EQ(mpimr::maximum{}(3, -4), 3);
  EXPECT_EQ(mpimr::minimum{}(2.5, 2.25), 2.25);
  EXPECT_EQ(mpimr::maximum{}(std::uint64_t{7}, std::uint64_t{9}), 9U);
  EXPECT_EQ(mpimr::minimum{}(std::string("b"), std::string("a")), "a");  // any ordered type
}

TEST(BuiltinOps, MinimumMaximumOnVectorAreElementwise) {
  // Element-wise, not the lexicographic std::min of two vectors (which would return {1, 9}).
  EXPECT_EQ(mpimr::minimum{}(std::vector<int>{1, 9}, std::vector<int>{2, 0}),
            (std::vector<int>{1, 0}));
  EXPECT_EQ(mpimr::maximum{}(std::vector<int>{1, 9}, std::vector<int>{2, 0}),
            (std::vector<int>{2, 9}));

  std::mt19937 gen(11);
  for (const std::size_t n : {0U, 1U, 2U, 17U, 1000U}) {
    const std::vector<int> a = random_ints(n, gen);
    const std::vector<int> b = random_ints(n, gen);
    std::vector<int> lo(n);
    std::vector<int> hi(n);
    for (std::size_t i = 0; i < n; ++i) {
      lo[i] = std::min(a[i], b[i]);
      hi[i] = std::max(a[i], b[i]);
    }
    EXPECT_EQ(mpimr::minimum{}(a, b), lo) << "n " << n;
    EXPECT_EQ(mpimr::maximum{}(a, b), hi) << "n " << n;
  }
}

TEST(BuiltinOps, MinimumMaximumOnEigenAreElementwise) {
  std::mt19937 gen(12);
  for (const Eigen::Index n : {0, 1, 5, 333}) {
    const Eigen::VectorXd a = random_eigen(n, gen);
    const Eigen::VectorXd b = random_eigen(n, gen);
    const Eigen::VectorXd lo = mpimr::minimum{}(a, b);
    const Eigen::VectorXd hi = mpimr::maximum{}(a, b);
    ASSERT_EQ(lo.size(), n);
    ASSERT_EQ(hi.size(), n);
    for (Eigen::Index i = 0; i < n; ++i) {
      EXPECT_EQ(lo(i), std::min(a(i), b(i))) << i;
      EXPECT_EQ(hi(i), std::max(a(i), b(i))) << i;
    }
  }
  // Matrices too, shape preserved.
  Eigen::MatrixXi a(2, 3);
  Eigen::MatrixXi b(2, 3);
  a << 1, 5, -3, 8, 0, 2;
  b << 4, 2, -7, 8, 1, -2;
  Eigen::MatrixXi lo(2, 3);
  lo << 1, 2, -7, 8, 0, -2;
  const Eigen::MatrixXi got = mpimr::minimum{}(a, b);
  EXPECT_EQ(got.rows(), 2);
  EXPECT_EQ(got.cols(), 3);
  EXPECT_TRUE(got == lo);
}

TEST(BuiltinOps, MinimumOnStdArray) {
  const std::array<double, 4> a{1, -2, 3, -4};
  const std::array<double, 4> b{-1, 2, -3, 4};
  EXPECT_EQ(mpimr::minimum{}(a, b), (std::array<double, 4>{-1, -2, -3, -4}));
  EXPECT_EQ(mpimr::maximum{}(a, b), (std::array<double, 4>{1, 2, 3, 4}));
}

TEST(BuiltinOps, MinimumRejectsDifferentSizes) {
  EXPECT_THROW((void)mpimr::minimum{}(std::vector<int>(3), std::vector<int>(4)),
               mpimr::invalid_argument);
  EXPECT_THROW((void)mpimr::maximum{}(Eigen::VectorXd(3), Eigen::VectorXd(4)),
               mpimr::invalid_argument);
}

// --- builtin_op::apply
// ------------------------------------------------------------------------------

TEST(BuiltinOps, ApplyMatchesPlainLoopForEveryOp) {
  std::mt19937 gen(13);
  std::uniform_int_distribution<std::int64_t> dist(-100000, 100000);
  const std::size_t n = 257;
  std::vector<std::int64_t> a(n);
  std::vector<std::int64_t> b(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = dist(gen);
    b[i] = dist(gen);
  }
  auto check = [&](auto join, auto per_element, const char* name) {
    using op = builtin_op<decltype(join), std::vector<std::int64_t>>;
    std::vector<std::int64_t> acc = a;
    op::apply(acc, b);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(acc[i], per_element(a[i], b[i])) << name << " element " << i;
    }
  };
  check(
      std::plus<>{}, [](std::int64_t x, std::int64_t y) { return x + y; }, "plus");
  check(
      std::multiplies<>{}, [](std::int64_t x, std::int64_t y) { return x * y; }, "multiplies");
  check(
      mpimr::minimum{}, [](std::int64_t x, std::int64_t y) { return std::min(x, y); }, "minimum");
  check(
      mpimr::maximum{}, [](std::int64_t x, std::int64_t y) { return std::max(x, y); }, "maximum");
  check(
      std::bit_and<>{}, [](std::int64_t x, std::int64_t y) { return x & y; }, "bit_and");
  check(
      std::bit_or<>{}, [](std::int64_t x, std::int64_t y) { return x | y; }, "bit_or");
  check(
      std::bit_xor<>{}, [](std::int64_t x, std::int64_t y) { return x ^ y; }, "bit_xor");
}

TEST(BuiltinOps, ApplyMatchesTheJoinItself) {
  // MPI joins across ranks with apply; ranks that joined locally used the join: they must agree.
  std::mt19937 gen(14);
  const std::vector<int> a = random_ints(100, gen);
  const std::vector<int> b = random_ints(100, gen);
  std::vector<int> acc = a;
  builtin_op<mpimr::minimum, std::vector<int>>::apply(acc, b);
  EXPECT_EQ(acc, mpimr::minimum{}(a, b));
  acc = a;
  builtin_op<mpimr::maximum, std::vector<int>>::apply(acc, b);
  EXPECT_EQ(acc, mpimr::maximum{}(a, b));

  Eigen::ArrayXd x = random_eigen(50, gen).array();
  const Eigen::ArrayXd y = random_eigen(50, gen).array();
  const Eigen::ArrayXd product = std::multiplies<>{}(x, y);
  const Eigen::ArrayXd sum = std::plus<>{}(x, y);
  Eigen::ArrayXd p = x;
  builtin_op<std::multiplies<>, Eigen::ArrayXd>::apply(p, y);
  Eigen::ArrayXd s = x;
  builtin_op<std::plus<>, Eigen::ArrayXd>::apply(s, y);
  for (Eigen::Index i = 0; i < 50; ++i) {
    EXPECT_EQ(p(i), product(i));
    EXPECT_EQ(s(i), sum(i));
  }

  int scalar = 6;
  builtin_op<std::multiplies<>, int>::apply(scalar, 7);
  EXPECT_EQ(scalar, 42);
}

TEST(BuiltinOps, ApplyOnDifferentSizesThrowsNamingBoth) {
  std::vector<int> acc(17, 1);
  const std::vector<int> other(42, 2);
  try {
    builtin_op<std::plus<>, std::vector<int>>::apply(acc, other);
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_TRUE(mpimr_test::contains(e.what(), "17"));
    EXPECT_TRUE(mpimr_test::contains(e.what(), "42"));
  }
  // Nothing was written to the accumulator.
  EXPECT_EQ(acc, std::vector<int>(17, 1));

  Eigen::VectorXd small = Eigen::VectorXd::Zero(29);
  const Eigen::VectorXd big = Eigen::VectorXd::Zero(1234);
  try {
    builtin_op<std::plus<>, Eigen::VectorXd>::apply(small, big);
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_TRUE(mpimr_test::contains(e.what(), "29"));
    EXPECT_TRUE(mpimr_test::contains(e.what(), "1234"));
  }

  // Same element count, different shape: still a mismatch for matrices.
  Eigen::MatrixXd wide = Eigen::MatrixXd::Zero(2, 6);
  const Eigen::MatrixXd tall = Eigen::MatrixXd::Zero(6, 2);
  EXPECT_THROW((builtin_op<std::plus<>, Eigen::MatrixXd>::apply(wide, tall)),
               mpimr::invalid_argument);
}

// --- neutral elements
// ---------------------------------------------------------------------------------

TEST(BuiltinOps, NeutralLikeValues) {
  const std::vector<double> like(5, 7.5);
  EXPECT_EQ(neutral_like<std::plus<>>(like), std::vector<double>(5, 0.0));
  EXPECT_EQ(neutral_like<std::multiplies<>>(like), std::vector<double>(5, 1.0));
  EXPECT_EQ(neutral_like<mpimr::minimum>(like),
            std::vector<double>(5, std::numeric_limits<double>::max()));
  EXPECT_EQ(neutral_like<mpimr::maximum>(like),
            std::vector<double>(5, std::numeric_limits<double>::lowest()));

  EXPECT_EQ(neutral_like<std::plus<>>(9), 0);
  EXPECT_EQ(neutral_like<std::multiplies<>>(9), 1);
  EXPECT_EQ(neutral_like<mpimr::minimum>(9), std::numeric_limits<int>::max());
  EXPECT_EQ(neutral_like<mpimr::maximum>(9), std::numeric_limits<int>::min());
  EXPECT_EQ(neutral_like<std::bit_and<>>(std::uint32_t{5}), 0xffffffffU);
  EXPECT_EQ(neutral_like<std::bit_or<>>(std::uint32_t{5}), 0U);
  EXPECT_EQ(neutral_like<std::bit_xor<>>(std::int8_t{5}), std::int8_t{0});
  EXPECT_EQ(neutral_like<std::bit_and<>>(std::int16_t{5}), std::int16_t{-1});

  const Eigen::MatrixXf m = Eigen::MatrixXf::Constant(2, 3, 4.0F);
  const Eigen::MatrixXf zero = neutral_like<std::plus<>>(m);
  EXPECT_EQ(zero.rows(), 2);
  EXPECT_EQ(zero.cols(), 3);
  EXPECT_TRUE(zero == Eigen::MatrixXf::Zero(2, 3));
  const Eigen::MatrixXf big = neutral_like<mpimr::minimum>(m);
  EXPECT_TRUE(big == Eigen::MatrixXf::Constant(2, 3, std::numeric_limits<float>::max()));
  const Eigen::ArrayXd minus_two = Eigen::ArrayXd::Constant(4, -2.0);
  const Eigen::ArrayXd one = neutral_like<std::multiplies<>>(minus_two);
  EXPECT_TRUE((one == Eigen::ArrayXd::Ones(4)).all());
}

TEST(BuiltinOps, NeutralIsAnIdentityOfApply) {
  std::mt19937 gen(15);
  const std::vector<int> x = random_ints(64, gen);
  auto identity = [&](auto join, const char* name) {
    using op = builtin_op<decltype(join), std::vector<int>>;
    std::vector<int> acc = neutral_like<decltype(join)>(x);
    op::apply(acc, x);
    EXPECT_EQ(acc, x) << name << ": neutral (+) x";
    std::vector<int> acc2 = x;
    op::apply(acc2, neutral_like<decltype(join)>(x));
    EXPECT_EQ(acc2, x) << name << ": x (+) neutral";
  };
  identity(std::plus<>{}, "plus");
  identity(std::multiplies<>{}, "multiplies");
  identity(mpimr::minimum{}, "minimum");
  identity(mpimr::maximum{}, "maximum");
  identity(std::bit_and<>{}, "bit_and");
  identity(std::bit_or<>{}, "bit_or");
  identity(std::bit_xor<>{}, "bit_xor");
}

}  // namespace
