// Turns any result type into bytes and back, for joins that MPI cannot apply itself: raw copies for
// numbers, Eigen objects and vectors of numbers; Boost.Serialization for everything else.
#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/optional.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/detail/type_traits.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

using byte_buffer = std::vector<std::byte>;

class byte_writer {
 public:
  explicit byte_writer(byte_buffer& out) noexcept : out_(out) {}
  void raw(const void* data, std::size_t bytes) {
    if (bytes == 0) return;
    // resize + memcpy rather than insert: g++ 12 at -O3 reports false overflows for insert here.
    // The bound also tells g++ 12 that `bytes` (say, 8 times an Eigen size it cannot prove
    // non-negative) is no larger than an object may be; without it -Wstringop-overflow fires.
    const std::size_t old_size = out_.size();
    if (bytes > out_.max_size() - old_size) throw std::length_error("mpimr: message too large");
    out_.resize(old_size + bytes);
    std::memcpy(out_.data() + old_size, data, bytes);
  }
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void pod(const T& value) { raw(&value, sizeof(T)); }

 private:
  byte_buffer& out_;
};

class byte_reader {
 public:
  explicit byte_reader(std::span<const std::byte> in) noexcept : in_(in) {}
  void raw(void* data, std::size_t bytes) {
    if (bytes > in_.size() - pos_) throw error("mpimr: truncated message while decoding a result");
    if (bytes != 0) std::memcpy(data, in_.data() + pos_, bytes);
    pos_ += bytes;
  }
  template <class T>
  requires std::is_trivially_copyable_v<T> T pod() {
    T value;
    raw(&value, sizeof(T));
    return value;
  }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }
  /// Reads a length prefix and checks that `count` elements of `element_size` bytes can follow, so
  /// that a corrupt length fails here instead of allocating gigabytes first.
  std::uint64_t length(std::size_t element_size) {
    const auto count = pod<std::uint64_t>();
    if (element_size != 0 && count > remaining() / element_size) {
      throw error("mpimr: message claims " + std::to_string(count) + " elements but holds fewer");
    }
    return count;
  }

 private:
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

template <class T>
struct codec;

template <class T>
void encode(byte_writer& w, const T& value) {
  codec<T>::encode(w, value);
}
template <class T>
void decode(byte_reader& r, T& value) {
  codec<T>::decode(r, value);
}

template <eigen_dense T>
struct codec<T> {
  static_assert(std::is_trivially_copyable_v<typename T::Scalar>,
                "Eigen scalar must be trivially copyable");
  static void encode(byte_writer& w, const T& m) {
    w.pod(static_cast<std::int64_t>(m.rows()));
    w.pod(static_cast<std::int64_t>(m.cols()));
    w.raw(m.data(), sizeof(typename T::Scalar) * static_cast<std::size_t>(m.size()));
  }
  static void decode(byte_reader& r, T& m) {
    const auto rows = r.pod<std::int64_t>();
    const auto cols = r.pod<std::int64_t>();
    const auto need = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
    if (rows < 0 || cols < 0 ||
        (cols != 0 &&
         static_cast<std::uint64_t>(rows) > UINT64_MAX / static_cast<std::uint64_t>(cols)) ||
        need > r.remaining() / sizeof(typename T::Scalar)) {
      throw error("mpimr: message claims a " + std::to_string(rows) + "x" + std::to_string(cols) +
                  " matrix but holds less");
    }
    m.resize(rows, cols);
    r.raw(m.data(), sizeof(typename T::Scalar) * static_cast<std::size_t>(m.size()));
  }
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_std_tuple : std::false_type {};
template <class... Ts>
struct is_std_tuple<std::tuple<Ts...>> : std::true_type {};

template <class T>
requires(std::is_trivially_copyable_v<T> && !eigen_dense<T> && !is_optional<T>::value &&
         !is_std_tuple<T>::value) struct codec<T> {
  static void encode(byte_writer& w, const T& value) { w.pod(value); }
  static void decode(byte_reader& r, T& value) { value = r.pod<T>(); }
};

template <class U, class A>
requires std::is_trivially_copyable_v<U>
struct codec<std::vector<U, A>> {
  static void encode(byte_writer& w, const std::vector<U, A>& v) {
    w.pod(static_cast<std::uint64_t>(v.size()));
    w.raw(v.data(), sizeof(U) * v.size());
  }
  static void decode(byte_reader& r, std::vector<U, A>& v) {
    v.resize(r.length(sizeof(U)));
    r.raw(v.data(), sizeof(U) * v.size());
  }
};

template <>
struct codec<std::string> {
  static void encode(byte_writer& w, const std::string& s) {
    w.pod(static_cast<std::uint64_t>(s.size()));
    w.raw(s.data(), s.size());
  }
  static void decode(byte_reader& r, std::string& s) {
    s.resize(r.length(1));
    r.raw(s.data(), s.size());
  }
};

/// A view of a std::string key, written exactly as the string is (to be read back as one).
template <>
struct codec<std::string_view> {
  static void encode(byte_writer& w, std::string_view s) {
    w.pod(static_cast<std::uint64_t>(s.size()));
    w.raw(s.data(), s.size());
  }
};

template <class T>
struct codec<std::optional<T>> {
  static void encode(byte_writer& w, const std::optional<T>& v) {
    w.pod(static_cast<std::uint8_t>(v.has_value() ? 1 : 0));
    if (v) mpimr::detail::encode(w, *v);
  }
  static void decode(byte_reader& r, std::optional<T>& v) {
    if (r.pod<std::uint8_t>() == 0) {
      v.reset();
      return;
    }
    if (!v) v.emplace();
    mpimr::detail::decode(r, *v);
  }
};

/// Several results at once (an Eigen matrix, a vector of counts, a total): each member with its own
/// codec, in order, so Eigen members travel raw (Boost.Serialization knows neither std::tuple nor
/// Eigen).
template <class... Ts>
struct codec<std::tuple<Ts...>> {
  static void encode(byte_writer& w, const std::tuple<Ts...>& t) {
    std::apply([&](const Ts&... members) { (mpimr::detail::encode(w, members), ...); }, t);
  }
  static void decode(byte_reader& r, std::tuple<Ts...>& t) {
    std::apply([&](Ts&... members) { (mpimr::detail::decode(r, members), ...); }, t);
  }
};

/// The fallback: any type Boost.Serialization knows (a `serialize` member or free function).
template <class T>
struct codec {
  static void encode(byte_writer& w, const T& value) {
    std::ostringstream stream;
    {
      boost::archive::binary_oarchive archive(stream, boost::archive::no_header);
      archive << value;
    }
    codec<std::string>::encode(w, stream.str());
  }
  static void decode(byte_reader& r, T& value) {
    std::string text;
    codec<std::string>::decode(r, text);
    std::istringstream stream(text);
    boost::archive::binary_iarchive archive(stream, boost::archive::no_header);
    archive >> value;
  }
};

template <class T>
[[nodiscard]] byte_buffer to_bytes(const T& value) {
  byte_buffer out;
  byte_writer w(out);
  encode(w, value);
  return out;
}

template <class T>
[[nodiscard]] T from_bytes(std::span<const std::byte> in) {
  T value{};
  byte_reader r(in);
  decode(r, value);
  return value;
}

}  // namespace mpimr::detail
