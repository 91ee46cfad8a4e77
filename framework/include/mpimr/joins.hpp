// Join function objects that std lacks. With std::plus<>, std::multiplies<> and the std::bit_* ones
// they are recognised as built-in MPI ops, so results cross ranks with MPI_Allreduce and no copy.
#pragma once

#include <algorithm>

#include "mpimr/detail/elementwise.hpp"

namespace mpimr {

/// Smaller of two values; element-wise for Eigen objects, vectors and arrays (as MPI_MIN is).
struct minimum {
  template <class T>
  constexpr T operator()(T a, const T& b) const {
    if constexpr (detail::mpi_buffer<T>) {
      detail::elementwise_into(a, b, [](auto x, auto y) { return std::min(x, y); });
    } else {
      a = std::min(a, b);
    }
    return a;
  }
};

/// Larger of two values; element-wise for Eigen objects, vectors and arrays (as MPI_MAX is).
struct maximum {
  template <class T>
  constexpr T operator()(T a, const T& b) const {
    if constexpr (detail::mpi_buffer<T>) {
      detail::elementwise_into(a, b, [](auto x, auto y) { return std::max(x, y); });
    } else {
      a = std::max(a, b);
    }
    return a;
  }
};

}  // namespace mpimr
