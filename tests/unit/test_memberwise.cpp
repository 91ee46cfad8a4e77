// Unit tests of several results at once: std::tuples survive the codec member by member (Eigen
// members raw, others by their own codec), and mpimr::memberwise joins each member with its own
// join, built-in ones element-wise as on a single result.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/joins.hpp"
#include "mpimr/memberwise.hpp"

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::from_bytes;
using mpimr::detail::to_bytes;

using cluster_sums =
    std::tuple<Eigen::MatrixXd, Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>, double>;

cluster_sums sample_sums(double shift) {
  Eigen::MatrixXd sums(2, 3);
  sums << 1.5, -2.0, 3.25, 0.0, 1e-300, -7.0;
  sums.array() += shift;
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> counts(3);
  counts << 4, 0, (std::int64_t{1} << 40);
  return {sums, counts, 0.1 + shift};
}

TEST(MemberwiseCodec, TupleOfEigenObjectsAndScalarRoundTrips) {
  const cluster_sums value = sample_sums(0.0);
  const byte_buffer bytes = to_bytes(value);
  // Each Eigen member is its shape and its raw elements; the double is its 8 bytes.
  EXPECT_EQ(bytes.size(), (2 + 6) * 8U + (2 + 3) * 8U + 8U);
  const auto back = from_bytes<cluster_sums>(bytes);
  EXPECT_EQ(std::get<0>(back).rows(), 2);
  EXPECT_EQ(std::get<0>(back).cols(), 3);
  EXPECT_TRUE((std::get<0>(back).array() == std::get<0>(value).array()).all());
  EXPECT_TRUE((std::get<1>(back).array() == std::get<1>(value).array()).all());
  EXPECT_EQ(std::bit_cast<std::uint64_t>(std::get<2>(back)),
            std::bit_cast<std::uint64_t>(std::get<2>(value)));
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_THROW((void)from_bytes<cluster_sums>(std::span<const std::byte>(bytes.data(), length)),
                 mpimr::error)
        << "prefix of " << length << " bytes";
  }
}

TEST(MemberwiseCodec, TupleWithStringsVectorsAndSerializedMembers) {
  using mixed = std::tuple<std::string, std::vector<double>, std::map<std::string, int>, int>;
  const mixed value{std::string("a\0b", 3), {1.0, -0.0}, {{"k", 2}}, -9};
  EXPECT_EQ(from_bytes<mixed>(to_bytes(value)), value);
  EXPECT_EQ(from_bytes<std::tuple<>>(to_bytes(std::tuple<>{})), std::tuple<>{});
  EXPECT_TRUE(to_bytes(std::tuple<>{}).empty());
}

TEST(Memberwise, DefaultAddsEveryMemberElementWise) {
  const cluster_sums a = sample_sums(0.0);
  const cluster_sums b = sample_sums(1.0);
  const cluster_sums sum = mpimr::memberwise{}(a, b);
  EXPECT_TRUE((std::get<0>(sum).array() == (std::get<0>(a) + std::get<0>(b)).array()).all());
  EXPECT_TRUE((std::get<1>(sum).array() == (2 * std::get<1>(a)).array()).all());
  EXPECT_EQ(std::get<2>(sum), std::get<2>(a) + std::get<2>(b));
}

TEST(Memberwise, VectorsAddElementWiseAsBuiltinPlusDoes) {
  // std::vector has no operator+: std::plus<> acts element-wise, as it does in mpimr::reduce.
  using t = std::tuple<std::vector<double>, std::uint64_t>;
  const t sum = mpimr::memberwise{}(t{{1.0, 2.0}, 3}, t{{10.0, 20.0}, 4});
  EXPECT_EQ(std::get<0>(sum), (std::vector<double>{11.0, 22.0}));
  EXPECT_EQ(std::get<1>(sum), 7U);
  EXPECT_THROW((void)mpimr::memberwise{}(t{{1.0}, 0}, t{{1.0, 2.0}, 0}), mpimr::invalid_argument);
}

TEST(Memberwise, OneJoinPerMember) {
  using t = std::tuple<Eigen::VectorXd, double, std::string, int>;
  const auto join = mpimr::memberwise{mpimr::minimum{}, mpimr::maximum{}, std::plus<>{},
                                      [](int x, int y) { return 10 * x + y; }};
  Eigen::VectorXd u(3), v(3);
  u << 1.0, 5.0, -1.0;
  v << 2.0, 4.0, -3.0;
  const t joined = join(t{u, 1.5, "ab", 1}, t{v, 2.5, "cd", 2});
  Eigen::VectorXd smaller(3);
  smaller << 1.0, 4.0, -3.0;
  EXPECT_TRUE((std::get<0>(joined).array() == smaller.array()).all());
  EXPECT_EQ(std::get<1>(joined), 2.5);
  EXPECT_EQ(std::get<2>(joined), "abcd");  // order kept: a non-commutative join sees left, right
  EXPECT_EQ(std::get<3>(joined), 12);
}

}  // namespace
