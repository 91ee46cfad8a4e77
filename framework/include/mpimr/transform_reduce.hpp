// mpimr::transform_reduce: element-wise transform then reduce, argument order as
// std::transform_reduce.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "mpimr/context.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

/// Returns join(init, transform(range.begin) ⊕ ... ⊕ transform(range.end - 1)) on every rank, where
/// ⊕ is `join` (associative). `init` is joined exactly once, on the left; it need not be an
/// identity.
template <class Init, class Join, class Transform, class T = detail::plain_type_t<Init>>
requires std::invocable<Transform&, std::uint64_t> &&
    std::constructible_from<T, std::invoke_result_t<Transform&, std::uint64_t>> && join_for<Join, T>
[[nodiscard]] T transform_reduce(context& ctx, index_range range, Init&& init_value, Join join,
                                 Transform transform, const options& opts = {}) {
  T init(std::forward<Init>(init_value));  // evaluates an Eigen expression; moved into the result
  detail::report_scope report(ctx);        // first: it times the whole operation
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(join, "transform_reduce join", request);
  detail::check_callable(transform, "transform_reduce transform", request);
  const detail::joiner<T, Join> join_values{&join};
  auto chunk_result = [&](const chunk& c) {
    T acc(std::invoke(transform, c.begin));
    for (std::uint64_t i = c.begin + 1; i < c.end; ++i) {
      acc = join_values(std::move(acc), T(std::invoke(transform, i)));
    }
    return acc;
  };
  auto result =
      detail::reduce_journaled<T>(ctx, request, opts.deterministic, chunk_result, join, init);
  if (!result) return init;
  return join_values(std::move(init), std::move(*result));
}

}  // namespace mpimr
