// Join function objects that std lacks. With std::plus<>, std::multiplies<> and the std::bit_* ones
// they are recognised as built-in MPI ops, so results cross ranks with MPI_Allreduce and no copy.
#pragma once

#include <algorithm>

#include "mpimr/detail/elementwise.hpp"

namespace mpimr {

namespace detail {

/// Picks one of two values per element for buffer types (as MPI_MIN/MPI_MAX do), or of the whole
/// values otherwise.
template <class Pick>
struct elementwise_pick {
  template <class T>
  constexpr T operator()(T a, const T& b) const {
    if constexpr (mpi_buffer<T>) {
      elementwise_into(a, b, [](auto x, auto y) { return Pick{}(x, y); });
    } else {
      a = Pick{}(a, b);
    }
    return a;
  }
};

struct pick_smaller {
  template <class T>
  constexpr T operator()(const T& x, const T& y) const {
    return std::min(x, y);
  }
};

struct pick_larger {
  template <class T>
  constexpr T operator()(const T& x, const T& y) const {
    return std::max(x, y);
  }
};

}  // namespace detail

/// Smaller of two values; element-wise for Eigen objects, vectors and arrays (as MPI_MIN is).
struct minimum : detail::elementwise_pick<detail::pick_smaller> {};

/// Larger of two values; element-wise for Eigen objects, vectors and arrays (as MPI_MAX is).
struct maximum : detail::elementwise_pick<detail::pick_larger> {};

}  // namespace mpimr
