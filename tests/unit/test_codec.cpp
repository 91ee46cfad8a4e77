// Unit tests of the result codec: every kind of value survives encode/decode unchanged (raw copies
// for numbers, Eigen objects and vectors of numbers; Boost.Serialization for the rest), and a
// truncated message is reported as mpimr::error instead of being read past its end.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <array>
#include <bit>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/errors.hpp"

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::byte_reader;
using mpimr::detail::byte_writer;
using mpimr::detail::from_bytes;
using mpimr::detail::to_bytes;

template <class T>
T round_trip(const T& value) {
  const byte_buffer bytes = to_bytes(value);
  return from_bytes<T>(bytes);
}

// Every strict prefix of the encoding must be rejected with mpimr::error.
template <class T>
void expect_every_truncation_throws(const T& value) {
  const byte_buffer bytes = to_bytes(value);
  ASSERT_FALSE(bytes.empty());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_THROW((void)from_bytes<T>(std::span<const std::byte>(bytes.data(), length)),
                 mpimr::error)
        << "prefix of " << length << " of " << bytes.size() << " bytes";
  }
}

template <class Derived>
bool same_eigen(const Eigen::DenseBase<Derived>& a, const Eigen::DenseBase<Derived>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      if (a(i, j) != b(i, j)) return false;
    }
  }
  return true;
}

struct sample_pod {
  int a;
  double b;
  char c[3];
  std::uint16_t d;
};
static_assert(std::is_trivially_copyable_v<sample_pod>);

// A user type with a Boost.Serialization member: must go through the fallback.
struct user_record {
  std::string name;
  std::vector<std::string> tags;
  std::map<int, double> weights;

  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    ar& name& tags& weights;
  }
  bool operator==(const user_record&) const = default;
};

TEST(Codec, Int) {
  for (const int v :
       {0, 1, -1, 42, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}) {
    EXPECT_EQ(round_trip(v), v);
    // Raw path: exactly the bytes of the value.
    EXPECT_EQ(to_bytes(v).size(), sizeof(int));
  }
  expect_every_truncation_throws(123456);
}

TEST(Codec, DoubleBitwise) {
  const double values[] = {0.0,
                           -0.0,
                           1.0 / 3.0,
                           -1e300,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()};
  for (const double v : values) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(round_trip(v)), std::bit_cast<std::uint64_t>(v)) << v;
    EXPECT_EQ(to_bytes(v).size(), sizeof(double));
  }
  expect_every_truncation_throws(2.5);
}

TEST(Codec, TriviallyCopyableStruct) {
  const sample_pod v{-7, 2.75, {'x', '\0', 'z'}, 65535};
  const sample_pod back = round_trip(v);
  EXPECT_EQ(back.a, v.a);
  EXPECT_EQ(back.b, v.b);
  EXPECT_EQ(back.c[0], 'x');
  EXPECT_EQ(back.c[1], '\0');
  EXPECT_EQ(back.c[2], 'z');
  EXPECT_EQ(back.d, v.d);
  EXPECT_EQ(to_bytes(v).size(), sizeof(sample_pod));
  expect_every_truncation_throws(v);
}

TEST(Codec, StdArray) {
  const std::array<double, 4> v{1.5, -2.0, 0.0, 1e-300};
  EXPECT_EQ(round_trip(v), v);
  expect_every_truncation_throws(v);
}

TEST(Codec, StringWithEmbeddedNul) {
  const std::string with_nul("ab\0cd\0", 6);
  ASSERT_EQ(with_nul.size(), 6U);
  EXPECT_EQ(round_trip(with_nul), with_nul);
  EXPECT_EQ(round_trip(std::string{}), std::string{});
  std::string binary;
  for (int c = 0; c < 256; ++c) binary.push_back(static_cast<char>(c));
  EXPECT_EQ(round_trip(binary), binary);
  const std::string longer(100000, 'q');
  EXPECT_EQ(round_trip(longer), longer);
  expect_every_truncation_throws(with_nul);
  expect_every_truncation_throws(std::string{});
}

TEST(Codec, VectorOfDouble) {
  const std::vector<double> v{1.0, -2.5, 3e10, std::numeric_limits<double>::lowest(), -0.0};
  const std::vector<double> back = round_trip(v);
  ASSERT_EQ(back.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back[i]), std::bit_cast<std::uint64_t>(v[i])) << i;
  }
  // Raw path: a length and the elements, nothing else.
  EXPECT_EQ(to_bytes(v).size(), sizeof(std::uint64_t) + v.size() * sizeof(double));
  EXPECT_TRUE(round_trip(std::vector<double>{}).empty());
  // Decoding into a vector that already holds something replaces it.
  const byte_buffer bytes = to_bytes(std::vector<double>{});
  std::vector<double> target{9.0, 9.0};
  byte_reader r(bytes);
  mpimr::detail::decode(r, target);
  EXPECT_TRUE(target.empty());
  expect_every_truncation_throws(v);
  expect_every_truncation_throws(std::vector<double>{});
}

TEST(Codec, EigenVectorXd) {
  Eigen::VectorXd v(5);
  v << 1.0, -2.0, 3.5, 0.0, 1e-12;
  const Eigen::VectorXd back = round_trip(v);
  EXPECT_TRUE(same_eigen(back, v));
  const Eigen::VectorXd empty;
  EXPECT_EQ(round_trip(empty).size(), 0);
  expect_every_truncation_throws(v);
}

TEST(Codec, EigenMatrixXf3x4) {
  Eigen::MatrixXf m(3, 4);
  for (Eigen::Index i = 0; i < 3; ++i) {
    for (Eigen::Index j = 0; j < 4; ++j) m(i, j) = static_cast<float>(10 * i + j) + 0.25F;
  }
  const Eigen::MatrixXf back = round_trip(m);
  EXPECT_EQ(back.rows(), 3);
  EXPECT_EQ(back.cols(), 4);
  EXPECT_TRUE(same_eigen(back, m));
  // Shape survives even when decoding into a matrix of another shape.
  const byte_buffer bytes = to_bytes(m);
  Eigen::MatrixXf target = Eigen::MatrixXf::Zero(7, 2);
  byte_reader r(bytes);
  mpimr::detail::decode(r, target);
  EXPECT_TRUE(r.at_end());
  EXPECT_TRUE(same_eigen(target, m));
  expect_every_truncation_throws(m);
}

TEST(Codec, EigenFixedMatrix3dAndArray) {
  Eigen::Matrix3d m;
  m << 1, 2, 3, 4, 5, 6, 7, 8, 9.5;
  EXPECT_TRUE(same_eigen(round_trip(m), m));
  expect_every_truncation_throws(m);

  Eigen::ArrayXXd a(2, 3);
  a << 1, 2, 3, -4, -5, -6;
  EXPECT_TRUE(same_eigen(round_trip(a), a));
}

TEST(Codec, OptionalInt) {
  const std::optional<int> empty;
  const std::optional<int> set = 77;
  EXPECT_EQ(round_trip(empty), std::nullopt);
  EXPECT_EQ(round_trip(set), std::optional<int>(77));
  // Decoding an empty optional into a set one clears it, and the reverse sets it.
  {
    const byte_buffer bytes = to_bytes(empty);
    std::optional<int> target = 5;
    byte_reader r(bytes);
    mpimr::detail::decode(r, target);
    EXPECT_FALSE(target.has_value());
  }
  {
    const byte_buffer bytes = to_bytes(set);
    std::optional<int> target;
    byte_reader r(bytes);
    mpimr::detail::decode(r, target);
    EXPECT_EQ(target, std::optional<int>(77));
  }
  expect_every_truncation_throws(empty);
  expect_every_truncation_throws(set);
  // Optional of a non-trivial type.
  const std::optional<std::string> text = std::string("hello\0world", 11);
  EXPECT_EQ(round_trip(text), text);
}

TEST(Codec, MapViaBoostFallback) {
  const std::map<std::string, int> m{{"alpha", 1}, {"", -3}, {std::string("nul\0key", 7), 99}};
  EXPECT_EQ(round_trip(m), m);
  EXPECT_TRUE(round_trip(std::map<std::string, int>{}).empty());
  expect_every_truncation_throws(m);
}

TEST(Codec, VectorOfStringsViaBoostFallback) {
  const std::vector<std::string> v{"one", "", "three", std::string(1000, 'z')};
  EXPECT_EQ(round_trip(v), v);
  expect_every_truncation_throws(v);
}

TEST(Codec, UserTypeWithSerializeMember) {
  const user_record rec{std::string("rec\0ord", 7), {"a", "bb", ""}, {{1, 0.5}, {-2, 1e100}}};
  EXPECT_EQ(round_trip(rec), rec);
  expect_every_truncation_throws(rec);
}

TEST(Codec, SeveralValuesInOneBufferDecodeInOrder) {
  byte_buffer bytes;
  byte_writer w(bytes);
  Eigen::Vector3d e(1, 2, 3);
  mpimr::detail::encode(w, 17);
  mpimr::detail::encode(w, std::string("middle"));
  mpimr::detail::encode(w, std::vector<double>{4.0, 5.0});
  mpimr::detail::encode(w, e);
  mpimr::detail::encode(w, std::map<std::string, int>{{"k", 1}});
  mpimr::detail::encode(w, std::optional<int>{});

  byte_reader r(bytes);
  int i = 0;
  std::string s;
  std::vector<double> v;
  Eigen::Vector3d e_back;
  std::map<std::string, int> m;
  std::optional<int> o = 3;
  mpimr::detail::decode(r, i);
  mpimr::detail::decode(r, s);
  mpimr::detail::decode(r, v);
  mpimr::detail::decode(r, e_back);
  mpimr::detail::decode(r, m);
  EXPECT_FALSE(r.at_end());
  mpimr::detail::decode(r, o);
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(i, 17);
  EXPECT_EQ(s, "middle");
  EXPECT_EQ(v, (std::vector<double>{4.0, 5.0}));
  EXPECT_TRUE(same_eigen(e_back, e));
  EXPECT_EQ(m, (std::map<std::string, int>{{"k", 1}}));
  EXPECT_FALSE(o.has_value());
  // Reading past the end of a fully consumed buffer is an error too.
  EXPECT_THROW((void)r.pod<std::uint8_t>(), mpimr::error);
}

TEST(Codec, ByteReaderRejectsOverlongRead) {
  const byte_buffer bytes(3, std::byte{0x5a});
  byte_reader r(bytes);
  EXPECT_THROW((void)r.pod<std::uint32_t>(), mpimr::error);
  // A failed read consumes nothing.
  EXPECT_EQ(r.pod<std::uint16_t>(), 0x5a5a);
  EXPECT_EQ(r.pod<std::uint8_t>(), 0x5a);
  EXPECT_TRUE(r.at_end());
  byte_reader empty(std::span<const std::byte>{});
  EXPECT_TRUE(empty.at_end());
  EXPECT_THROW((void)empty.pod<char>(), mpimr::error);
}

}  // namespace
