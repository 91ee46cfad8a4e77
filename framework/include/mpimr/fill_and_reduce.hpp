// mpimr::fill_and_reduce: one sweep that fills an array every rank ends up holding and reduces a
// summary of it, such as a power-iteration or Jacobi step (new vector, and its change) in one pass.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mpimr/concepts.hpp"
#include "mpimr/context.hpp"
#include "mpimr/detail/chunk_results.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/node_results.hpp"
#include "mpimr/detail/operation_journal.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/detail/type_traits.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"
#include "mpimr/shared_array.hpp"

namespace mpimr {

namespace detail {

/// Records a bad output array as an argument error (every rank then throws alike).
template <class R>
void check_fill_target(std::span<R> out, execution_request& request) {
  if (!request.invalid_argument.empty()) return;
  if (out.size() != request.plan.range.size()) {
    request.invalid_argument = "fill_and_reduce: the output array holds " +
                               std::to_string(out.size()) + " elements but the range has " +
                               std::to_string(request.plan.range.size()) + " indices";
  } else if (!chunk_results_shareable(request.plan)) {
    request.invalid_argument = "fill_and_reduce: " + std::to_string(request.plan.chunk_count) +
                               " chunks of up to " + std::to_string(request.plan.chunk_size) +
                               " indices are more than MPI can exchange; choose a chunk_size "
                               "between 1 and 2^31 - 1 that makes fewer than 2^30 chunks";
  }
}

}  // namespace detail

namespace detail {

/// fill_and_reduce with `share(plan, mine, static_blocks)` giving every rank every chunk's results
/// once the chunks have run.
template <class R, class T, class Body, class Join, class Share>
[[nodiscard]] T fill_and_reduce_with(context& ctx, index_range range, std::span<R> out,
                                     const T& identity, Body& body, Join& join, const options& opts,
                                     Share&& share) {
  report_scope report(ctx);  // first: it times the whole operation
  execution_request request = make_request(range, opts);
  check_callable(body, "fill_and_reduce body", request);
  check_callable(join, "fill_and_reduce join", request);
  check_fill_target(out, request);
  std::vector<std::uint64_t> mine;
  operation_journal journal(ctx, "fill_and_reduce", request);
  byte_buffer payload;
  auto chunk_partial = [&](const chunk& c) -> T {
    const std::span<R> slice = out.subspan(c.begin - range.begin, c.size());
    const std::size_t bytes = slice.size_bytes();
    mine.push_back(c.id);
    // A record is the slice's bytes, then the encoded partial.
    if (journal.active() && journal.find(c.id, payload) && payload.size() >= bytes) {
      std::memcpy(static_cast<void*>(slice.data()), payload.data(), bytes);
      return from_bytes<T>(std::span<const std::byte>(payload).subspan(bytes));
    }
    T partial(std::invoke(body, c, slice));
    if (journal.active()) {
      const auto* first = reinterpret_cast<const std::byte*>(slice.data());
      payload.assign(first, first + bytes);
      byte_writer writer(payload);
      encode(writer, partial);
      journal.record(c.id, payload);
    }
    return partial;
  };
  auto result = reduce_chunks<T>(ctx, request, opts.deterministic, chunk_partial, join, identity);
  share(request.plan, std::move(mine), request.schedule == schedule::static_blocks);
  if (!result) return identity;
  return std::move(*result);
}

}  // namespace detail

/// Calls `body(chunk, slice)` for every chunk of `range` (each once, on some rank), where `slice`
/// is the chunk's part of `out` (out[c.begin - range.begin], ..., its size() elements): the body
/// writes the chunk's results there and returns the chunk's partial, which is joined with the
/// others by `join` (associative) as mpimr::reduce does. On return every rank's `out` holds every
/// chunk's results, exchanged in place as mpimr::map does, and every rank gets the joined partials
/// (`identity` for an empty range).
///
/// What it saves over a map followed by a reduce: the results are written once, into an array the
/// caller keeps from one iteration to the next (no allocation, no zeroing), and a summary of them
/// (a norm, a residual, a sum over some of them) is computed while they are hot in cache, on the
/// rank that made them, instead of by every rank over the whole array afterwards.
///
/// `out` must have range.size() elements on every rank and results that travel as bytes
/// (trivially copyable, not bool). Under a checkpoint a chunk's results and partial are one
/// record. With `.deterministic = true` the partials are joined in a fixed tree over chunk ids.
/// Throws mpimr::invalid_argument (a wrong-sized `out`, too many chunks) or mpimr::task_error
/// (a body or join threw) on every rank; `out` is then partly written.
template <class R, class Identity, class Body, class Join = std::plus<>,
          class T = detail::plain_type_t<Identity>>
requires detail::raw_result<R> && std::invocable<Body&, const chunk&, std::span<R>> &&
    std::constructible_from<T, std::invoke_result_t<Body&, const chunk&, std::span<R>>> &&
    join_for<Join, T>
[[nodiscard]] T fill_and_reduce(context& ctx, index_range range, std::span<R> out,
                                const Identity& identity, Body body, Join join = {},
                                const options& opts = {}) {
  const T& identity_value = identity;
  return detail::fill_and_reduce_with(
      ctx, range, out, identity_value, body, join, opts,
      [&](const detail::chunk_plan& plan, std::vector<std::uint64_t> mine, bool static_blocks) {
        detail::share_chunk_results(ctx.communicator(), plan,
                                    reinterpret_cast<std::byte*>(out.data()), sizeof(R),
                                    std::move(mine), static_blocks);
      });
}

/// The same into an array that the ranks of each node share (built on the same context): each
/// chunk's slice is written once, by the rank that runs it, into the node's one copy, and nothing
/// is exchanged on one node (the ranks only wait for each other); across nodes each node's results
/// go to every other node once, between node leaders. For iterations whose whole vector every rank
/// reads (power iteration, Jacobi), this removes the per-iteration allgather, and a node holds one
/// copy of the vector instead of one per rank.
///
/// While it runs, other chunks' slices are being written by other ranks: a body must not read
/// elements of `out` outside its own slice. Keep the previous iterate in a second shared_array and
/// swap the two after each call. Between calls `out` is read-only, as any shared_array.
template <class R, class Identity, class Body, class Join = std::plus<>,
          class T = detail::plain_type_t<Identity>>
requires detail::raw_result<R> && std::invocable<Body&, const chunk&, std::span<R>> &&
    std::constructible_from<T, std::invoke_result_t<Body&, const chunk&, std::span<R>>> &&
    join_for<Join, T>
[[nodiscard]] T fill_and_reduce(context& ctx, index_range range, shared_array<R>& out,
                                const Identity& identity, Body body, Join join = {},
                                const options& opts = {}) {
  const T& identity_value = identity;
  return detail::fill_and_reduce_with(
      ctx, range, detail::shared_array_access::writable(out), identity_value, body, join, opts,
      [&](const detail::chunk_plan& plan, std::vector<std::uint64_t> mine, bool) {
        detail::share_node_chunk_results(ctx, detail::shared_array_access::block(out), plan,
                                         sizeof(R), std::move(mine));
      });
}

/// The same for a std::vector output.
template <class R, class A, class Identity, class Body, class Join = std::plus<>,
          class T = detail::plain_type_t<Identity>>
requires detail::raw_result<R> && std::invocable<Body&, const chunk&, std::span<R>>
[[nodiscard]] T fill_and_reduce(context& ctx, index_range range, std::vector<R, A>& out,
                                const Identity& identity, Body body, Join join = {},
                                const options& opts = {}) {
  return mpimr::fill_and_reduce(ctx, range, std::span<R>(out), identity, std::move(body),
                                std::move(join), opts);
}

}  // namespace mpimr
