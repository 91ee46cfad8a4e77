// mpimr::map: one result per index or per item, gathered in order on every rank (like Pool.map).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/chunk_results.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/operation_journal.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/detail/result_codec.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

namespace detail {

/// The result array every rank ends with, allocated before any chunk runs: a range too large for
/// it then fails every rank alike (invalid_argument, through the agreement) instead of computing
/// first.
template <class R>
[[nodiscard]] std::vector<R> allocate_results(execution_request& request) {
  const std::uint64_t count = request.plan.range.size();
  std::vector<R> results;
  if (request.invalid_argument.empty()) {
    try {
      results.resize(count);
    } catch (const std::exception& e) {
      request.invalid_argument =
          "map: cannot hold " + std::to_string(count) + " results on every rank (" + e.what() + ")";
    }
  }
  return results;
}

/// map for raw results: each rank computes into the final array, which MPI then completes in
/// place on every rank (no encoding, no copies; for a map called once per iteration, as in
/// PageRank, the copies cost more than the computation).
template <class R, class Fn>
[[nodiscard]] std::vector<R> map_in_place(context& ctx, execution_request& request, Fn& fn) {
  const index_range range = request.plan.range;
  std::vector<R> results = allocate_results<R>(request);
  std::vector<std::uint64_t> mine;
  operation_journal journal(ctx, "map", request);
  byte_buffer payload;
  execute(
      ctx, request,
      [&](const chunk& c) {
        R* const first = results.data() + (c.begin - range.begin);
        const std::size_t bytes = sizeof(R) * c.size();
        mine.push_back(c.id);
        if (journal.active() && journal.find(c.id, payload) && payload.size() == bytes) {
          std::memcpy(static_cast<void*>(first), payload.data(), bytes);
          return;
        }
        R* out = first;
        for (std::uint64_t i = c.begin; i < c.end; ++i) *out++ = std::invoke(fn, i);
        if (journal.active()) {
          journal.record(c.id, std::span(reinterpret_cast<const std::byte*>(first), bytes));
        }
      },
      [] { return std::uint64_t{0}; });
  share_chunk_results(ctx.communicator(), request.plan,
                      reinterpret_cast<std::byte*>(results.data()), sizeof(R), std::move(mine),
                      request.schedule == schedule::static_blocks);
  return results;
}

/// map for any other result: each rank encodes its chunks' results, and all ranks gather them.
template <class R, class Fn>
[[nodiscard]] std::vector<R> map_encoded(context& ctx, execution_request& request, Fn& fn) {
  const index_range range = request.plan.range;
  // Allocated up front (it used to be after the chunks): a map over 2^64 - 1 indices computed its
  // first chunk of 2^50 results before failing with a bare std::bad_alloc.
  std::vector<R> results = allocate_results<R>(request);
  byte_buffer mine;
  byte_writer writer(mine);
  std::vector<R> scratch;
  operation_journal journal(ctx, "map", request);
  byte_buffer payload;
  execute(
      ctx, request,
      [&](const chunk& c) {
        journaled_chunk_results(journal, c, fn, scratch, payload);
        writer.pod(c.id);
        encode_results(writer, scratch);
      },
      [] { return std::uint64_t{0}; });
  const auto all = allgather_bytes(ctx.communicator(), std::move(mine));
  for (const auto& from_rank : all) {
    byte_reader reader(from_rank);
    while (!reader.at_end()) {
      const chunk c = request.plan.at(reader.pod<std::uint64_t>());
      decode_results(reader, results, c.begin - range.begin, c.size());
    }
  }
  return results;
}

}  // namespace detail

/// Returns {fn(range.begin), ..., fn(range.end - 1)} on every rank, in index order. Each rank
/// computes the indices of the chunks it is given; the results are then exchanged.
template <class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, std::uint64_t>>>
requires std::invocable<Fn&, std::uint64_t> && std::default_initializable<R>
[[nodiscard]] std::vector<R> map(context& ctx, index_range range, Fn fn, const options& opts = {}) {
  detail::report_scope report(ctx);  // first: it times the whole operation
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(fn, "map function", request);
  // The choice depends on the plan alone; ranks whose plans differ all fail in the agreement.
  if constexpr (detail::raw_result<R>) {
    if (detail::chunk_results_shareable(request.plan)) {
      return detail::map_in_place<R>(ctx, request, fn);
    }
  }
  return detail::map_encoded<R>(ctx, request, fn);
}

/// Returns {fn(items[0]), ..., fn(items[n-1])} on every rank. `items` must hold the same values on
/// every rank (each rank reads only the items of its chunks).
template <class T, class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, const T&>>>
requires std::invocable<Fn&, const T&>
[[nodiscard]] std::vector<R> map(context& ctx, std::span<const T> items, Fn fn,
                                 const options& opts = {}) {
  return mpimr::map(
      ctx, index_range{0, items.size()}, [&](std::uint64_t i) { return std::invoke(fn, items[i]); },
      opts);
}

template <class T, class A, class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, const T&>>>
requires std::invocable<Fn&, const T&>
[[nodiscard]] std::vector<R> map(context& ctx, const std::vector<T, A>& items, Fn fn,
                                 const options& opts = {}) {
  return mpimr::map(ctx, std::span<const T>(items), std::move(fn), opts);
}

}  // namespace mpimr
