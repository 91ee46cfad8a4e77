// What operations require of bodies and joins, as concepts so that a mistake is reported at the
// call.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <type_traits>

#include "mpimr/detail/builtin_ops.hpp"
#include "mpimr/index_range.hpp"

namespace mpimr {

/// `body(chunk)` returns something a T can be made from.
template <class Body, class T>
concept chunk_body = std::invocable<Body&, const chunk&> &&
    std::constructible_from<T, std::invoke_result_t<Body&, const chunk&>>;

/// `join(T, T)` returns something a T can be made from, or is a built-in op that mpimr applies
/// element-wise (std::plus<> on a std::vector<double>, say). Must be associative; without
/// `deterministic`, dynamic schedules also assume it is commutative.
template <class Join, class T>
concept join_for = detail::builtin_join<Join, T> ||
    (std::invocable<Join&, T, T>&& std::constructible_from<T, std::invoke_result_t<Join&, T, T>>);

}  // namespace mpimr
