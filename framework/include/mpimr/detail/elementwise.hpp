// Element-wise combination of two buffers of the same shape: how built-in joins act on Eigen
// objects, vectors and arrays, matching what MPI's built-in ops do to the same bytes.
#pragma once

#include <cstddef>
#include <string>

#include "mpimr/detail/type_traits.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

template <class T>
[[nodiscard]] std::string shape_text(const T& value) {
  if constexpr (mpi_scalar<T>) {
    return "1";
  } else if constexpr (eigen_dense<T>) {
    return std::to_string(value.rows()) + "x" + std::to_string(value.cols());
  } else {
    return std::to_string(value.size());
  }
}

/// a[i] = op(a[i], b[i]) for every element; scalars are one element. Throws on differing shapes,
/// which would otherwise read past the end of the smaller buffer.
template <mpi_buffer T, class Op>
constexpr void elementwise_into(T& a, const T& b, Op op) {
  if constexpr (mpi_scalar<T>) {
    a = op(a, b);
  } else {
    bool same = a.size() == b.size();
    if constexpr (eigen_dense<T>) same = same && a.rows() == b.rows();
    if (!same) {
      throw invalid_argument("partial results have different shapes (" + shape_text(a) + " and " +
                             shape_text(b) + "); the identity must have the shape of every result");
    }
    auto* out = a.data();
    const auto* in = b.data();
    const auto n = static_cast<std::size_t>(a.size());
    for (std::size_t i = 0; i < n; ++i) out[i] = op(out[i], in[i]);
  }
}

}  // namespace mpimr::detail
