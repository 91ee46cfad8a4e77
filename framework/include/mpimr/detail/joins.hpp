// Join function objects that std lacks, recognised (with std::plus<> and friends) as built-in MPI
// ops.
#pragma once

#include <algorithm>
#include <utility>

#include "mpimr/detail/type_traits.hpp"

namespace mpimr {

/// Smaller of two values; element-wise for Eigen objects, vectors and arrays (as MPI_MIN is).
struct minimum {
  template <class T>
  constexpr T operator()(const T& a, const T& b) const {
    if constexpr (detail::eigen_dense<T>) {
      return a.cwiseMin(b);
    } else {
      return std::min(a, b);
    }
  }
};

/// Larger of two values; element-wise for Eigen objects, vectors and arrays (as MPI_MAX is).
struct maximum {
  template <class T>
  constexpr T operator()(const T& a, const T& b) const {
    if constexpr (detail::eigen_dense<T>) {
      return a.cwiseMax(b);
    } else {
      return std::max(a, b);
    }
  }
};

}  // namespace mpimr
