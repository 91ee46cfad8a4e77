// mpimr::memberwise: a join of std::tuples member by member, so one reduction can carry several
// results at once (per-cluster sums as an Eigen matrix, counts as an Eigen vector, a total).
#pragma once

#include <cstddef>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "mpimr/detail/builtin_ops.hpp"

namespace mpimr {

/// Joins two std::tuples member by member: member i with the i-th join given, or with std::plus<>
/// for every member when none is given (`mpimr::memberwise{}`). Built-in joins (std::plus<>,
/// mpimr::minimum, ...) act element-wise on Eigen objects, vectors and arrays, exactly as they do
/// on a single result of that type; any other join is called as `join(a_i, b_i)`.
///
///   using partial = std::tuple<Eigen::MatrixXd, Eigen::VectorXi, double>;
///   partial total = mpimr::reduce(ctx, range, partial{sums0, counts0, 0.0}, body,
///                                 mpimr::memberwise{}, {.deterministic = true});
///
/// Tuples travel member by member (Eigen members as raw buffers), joined in rank order or, in
/// deterministic mode, along the chunk tree; the join runs in user code, not inside MPI.
template <class... Joins>
class memberwise {
 public:
  constexpr memberwise() = default;
  constexpr explicit memberwise(Joins... joins) requires(sizeof...(Joins) > 0)
      : joins_(std::move(joins)...) {}

  template <class... Ts>
  requires(sizeof...(Joins) == 0 || sizeof...(Joins) == sizeof...(Ts)) std::tuple<Ts...>
  operator()(std::tuple<Ts...> a, std::tuple<Ts...> b) const {
    join_members(a, b, std::index_sequence_for<Ts...>{});
    return a;
  }

 private:
  template <std::size_t I>
  [[nodiscard]] constexpr auto join_for_member() const {
    if constexpr (sizeof...(Joins) == 0) {
      return std::plus<>{};
    } else {
      return std::get<I>(joins_);
    }
  }

  template <class Tuple, std::size_t... I>
  void join_members(Tuple& a, Tuple& b, std::index_sequence<I...> /*members*/) const {
    (join_one(std::get<I>(a), std::get<I>(b), join_for_member<I>()), ...);
  }

  template <class T, class Join>
  static void join_one(T& a, T& b, Join join) {
    if constexpr (detail::builtin_join<Join, T>) {
      // In place, element by element: what the same join does to a single result of type T.
      detail::builtin_op<std::remove_cvref_t<Join>, T>::apply(a, b);
    } else {
      a = T(std::invoke(join, std::move(a), std::move(b)));
    }
  }

  std::tuple<Joins...> joins_;
};

template <class... Joins>
memberwise(Joins...) -> memberwise<Joins...>;

}  // namespace mpimr
