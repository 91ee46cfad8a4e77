// Classifies result types: which travel as raw MPI buffers and which need encoding.
#pragma once

#include <Eigen/Core>
#include <array>
#include <complex>
#include <type_traits>
#include <vector>

namespace mpimr::detail {

template <class T>
struct is_complex : std::false_type {};
template <class T>
struct is_complex<std::complex<T>> : std::true_type {};

/// A scalar MPI has a built-in datatype for.
template <class T>
concept mpi_scalar = std::is_arithmetic_v<T> || is_complex<T>::value;

/// Any Eigen Matrix or Array that owns its storage (dynamic or fixed size).
template <class T>
concept eigen_dense = std::is_base_of_v<Eigen::PlainObjectBase<T>, T>;

/// The value type a reduction returns for an identity of type T: the evaluated matrix for an Eigen
/// expression (VectorXd::Zero(n)), T itself otherwise.
template <class T>
struct plain_type {
  using type = std::remove_cvref_t<T>;
};
template <class T>
requires std::is_base_of_v<Eigen::EigenBase<std::remove_cvref_t<T>>, std::remove_cvref_t<T>>
struct plain_type<T> {
  using type = typename std::remove_cvref_t<T>::PlainObject;
};
template <class T>
using plain_type_t = typename plain_type<T>::type;

template <class T>
struct is_std_vector : std::false_type {};
template <class U, class A>
struct is_std_vector<std::vector<U, A>> : std::true_type {};

template <class T>
struct is_std_array : std::false_type {};
template <class U, std::size_t N>
struct is_std_array<std::array<U, N>> : std::true_type {};

/// Types whose values are one contiguous run of MPI scalars: they cross ranks with no copy.
template <class T>
concept mpi_buffer = mpi_scalar<T> ||(eigen_dense<T>&& mpi_scalar<typename T::Scalar>) ||
                     ((is_std_vector<T>::value || is_std_array<T>::value) &&
                      mpi_scalar<typename T::value_type>);

template <class T>
struct buffer_scalar {
  using type = T;
};
template <class T>
requires(!mpi_scalar<T> && !eigen_dense<T>) struct buffer_scalar<T> {
  using type = std::remove_cv_t<typename T::value_type>;
};
template <eigen_dense T>
struct buffer_scalar<T> {
  using type = typename T::Scalar;
};
template <class T>
using buffer_scalar_t = typename buffer_scalar<T>::type;

template <mpi_buffer T>
[[nodiscard]] auto* buffer_data(T& value) noexcept {
  if constexpr (mpi_scalar<T>) {
    return &value;
  } else {
    return value.data();
  }
}

template <mpi_buffer T>
[[nodiscard]] std::size_t buffer_size(const T& value) noexcept {
  if constexpr (mpi_scalar<T>) {
    return 1;
  } else {
    return static_cast<std::size_t>(value.size());
  }
}

}  // namespace mpimr::detail
