// mpimr::reduce: one partial result per chunk, joined across all ranks; the result on every rank.
#pragma once

#include <functional>
#include <utility>

#include "mpimr/concepts.hpp"
#include "mpimr/context.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

/// Calls `body(chunk)` for every chunk of `range` (each chunk once, on some rank) and joins the
/// partials with `join`, which must be associative. Returns the same value on every rank;
/// `identity` when the range is empty. Built-in joins (std::plus<>, std::multiplies<>,
/// mpimr::minimum, mpimr::maximum, std::bit_*) on numbers, Eigen objects, vectors and arrays of
/// numbers go through MPI_Allreduce on the raw buffer, element-wise. Any other join and any type
/// mpimr can encode (trivially copyable, Eigen, std::string, Boost-serializable) works too.
/// Throws mpimr::task_error on every rank if a body or join threw on any rank.
template <class Identity, class Body, class Join = std::plus<>,
          class T = detail::plain_type_t<Identity>>
requires chunk_body<Body, T> && join_for<Join, T>
[[nodiscard]] T reduce(context& ctx, index_range range, const Identity& identity, Body body,
                       Join join = {}, const options& opts = {}) {
  // Taken by reference: copying an 8 MB identity on every call cost more than the reduction itself.
  // An Eigen expression such as VectorXd::Zero(n) is evaluated here, once.
  const T& identity_value = identity;
  detail::report_scope report(ctx);  // first: it times the whole operation
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(body, "reduce body", request);
  detail::check_callable(join, "reduce join", request);
  auto chunk_result = [&](const chunk& c) { return T(std::invoke(body, c)); };
  auto result = detail::reduce_journaled<T>(ctx, request, opts.deterministic, chunk_result, join,
                                            identity_value);
  if (!result) return identity_value;
  return std::move(*result);
}

}  // namespace mpimr
