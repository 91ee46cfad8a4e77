// Recognises joins that are built-in MPI ops on buffer types, so reductions use MPI_Allreduce on
// the raw buffer instead of encoding and joining in user code.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>

#include "mpimr/detail/elementwise.hpp"
#include "mpimr/detail/type_traits.hpp"
#include "mpimr/joins.hpp"

namespace mpimr::detail {

template <class T>
[[nodiscard]] MPI_Datatype mpi_datatype() noexcept {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>)
    return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, double>)
    return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, long double>)
    return MPI_LONG_DOUBLE;
  else if constexpr (std::is_same_v<U, std::complex<float>>)
    return MPI_C_FLOAT_COMPLEX;
  else if constexpr (std::is_same_v<U, std::complex<double>>)
    return MPI_C_DOUBLE_COMPLEX;
  else if constexpr (std::is_same_v<U, std::complex<long double>>)
    return MPI_C_LONG_DOUBLE_COMPLEX;
  else if constexpr (std::is_same_v<U, bool>)
    return MPI_C_BOOL;
  else if constexpr (std::is_same_v<U, char>)
    return MPI_CHAR;
  else if constexpr (std::is_same_v<U, wchar_t>)
    return MPI_WCHAR;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 1)
    return MPI_INT8_T;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 2)
    return MPI_INT16_T;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 4)
    return MPI_INT32_T;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8)
    return MPI_INT64_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 1)
    return MPI_UINT8_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 2)
    return MPI_UINT16_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 4)
    return MPI_UINT32_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 8)
    return MPI_UINT64_T;
  else
    static_assert(sizeof(U) == 0, "no MPI datatype for this scalar");
}

template <class Join, template <class> class StdOp, class T>
inline constexpr bool is_std_op =
    std::is_same_v<Join, StdOp<void>> || std::is_same_v<Join, StdOp<T>>;

/// A join MPI applies itself: `mpi_op()` names the op, `neutral()` its identity element, `apply`
/// joins locally exactly as MPI will join across ranks (element-wise for containers).
template <class Join, class T>
struct builtin_op {
  static constexpr bool value = false;
};

#define MPIMR_DETAIL_BUILTIN_OP(CONDITION, MPI_OP, NEUTRAL, APPLY)        \
  template <class Join, mpi_buffer T>                                     \
  requires(CONDITION) struct builtin_op<Join, T> {                        \
    using scalar = buffer_scalar_t<T>;                                    \
    static constexpr bool value = true;                                   \
    static MPI_Op mpi_op() noexcept { return MPI_OP; }                    \
    static scalar neutral() noexcept { return NEUTRAL; }                  \
    static void apply(T& acc, const T& x) {                               \
      elementwise_into(acc, x, [](scalar a, scalar b) { return APPLY; }); \
    }                                                                     \
  };

template <class T>
inline constexpr bool is_eigen_matrix =
    eigen_dense<T> && !std::is_base_of_v<Eigen::ArrayBase<T>, T>;
template <class T>
inline constexpr bool is_real_scalar = std::is_arithmetic_v<buffer_scalar_t<T>>;
template <class T>
inline constexpr bool is_integer_scalar =
    std::is_integral_v<buffer_scalar_t<T>> && !std::is_same_v<buffer_scalar_t<T>, bool>;

MPIMR_DETAIL_BUILTIN_OP((is_std_op<Join, std::plus, T>), MPI_SUM, scalar{0}, a + b)
// std::multiplies on an Eigen matrix is a matrix product, not element-wise: left to the general
// path.
MPIMR_DETAIL_BUILTIN_OP((is_std_op<Join, std::multiplies, T> && !is_eigen_matrix<T>), MPI_PROD,
                        scalar{1}, a* b)
MPIMR_DETAIL_BUILTIN_OP((std::is_same_v<Join, minimum> && is_real_scalar<T>), MPI_MIN,
                        std::numeric_limits<scalar>::max(), std::min(a, b))
MPIMR_DETAIL_BUILTIN_OP((std::is_same_v<Join, maximum> && is_real_scalar<T>), MPI_MAX,
                        std::numeric_limits<scalar>::lowest(), std::max(a, b))
MPIMR_DETAIL_BUILTIN_OP((is_std_op<Join, std::bit_and, T> && is_integer_scalar<T>), MPI_BAND,
                        static_cast<scalar>(~scalar{0}), static_cast<scalar>(a& b))
MPIMR_DETAIL_BUILTIN_OP((is_std_op<Join, std::bit_or, T> && is_integer_scalar<T>), MPI_BOR,
                        scalar{0}, static_cast<scalar>(a | b))
MPIMR_DETAIL_BUILTIN_OP((is_std_op<Join, std::bit_xor, T> && is_integer_scalar<T>), MPI_BXOR,
                        scalar{0}, static_cast<scalar>(a ^ b))

#undef MPIMR_DETAIL_BUILTIN_OP

template <class Join, class T>
concept builtin_join = builtin_op<std::remove_cvref_t<Join>, T>::value;

/// A value shaped like `like` filled with the op's identity element, for ranks that ran no chunk.
template <class Join, class T>
requires builtin_join<Join, T>
[[nodiscard]] T neutral_like(const T& like) {
  using op = builtin_op<std::remove_cvref_t<Join>, T>;
  T value = like;
  if constexpr (mpi_scalar<T>) {
    value = op::neutral();
  } else {
    std::fill_n(value.data(), value.size(), op::neutral());
  }
  return value;
}

}  // namespace mpimr::detail
