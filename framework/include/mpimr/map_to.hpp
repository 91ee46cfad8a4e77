// mpimr::map_to: mpimr::map with the results on one root rank only, pulled there in batches of
// bounded size, so that no other rank ever holds more than the results of its own chunks.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/operation_journal.hpp"
#include "mpimr/detail/ordered_merge.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/detail/result_codec.hpp"
#include "mpimr/detail/results_to_root.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

namespace detail {

/// map_to with the batch size as a parameter, so that tests can cut the results into many batches.
template <class R, class Fn>
[[nodiscard]] std::vector<R> map_to_root(context& ctx, int root, index_range range, Fn& fn,
                                         const options& opts, std::uint64_t batch_bytes) {
  agree_on_root(ctx.communicator(), root, "map_to");
  report_scope report(ctx);  // first: it times the whole operation
  execution_request request = make_request(range, opts);
  check_callable(fn, "map_to function", request);
  const bool is_root = ctx.rank() == root;
  std::vector<R> results;
  // More results than a vector can hold are refused by every rank alike: only the root allocates,
  // and the others would compute a chunk (of 2^50 indices, for 2^64 - 1) before they learnt of its
  // failure. A range that fits the vector but not the root's memory still fails only there.
  if (request.invalid_argument.empty() && range.size() > results.max_size()) {
    request.invalid_argument = "map_to: " + std::to_string(range.size()) +
                               " results are more than the root can hold (at most " +
                               std::to_string(results.max_size()) + ")";
  }
  if (is_root && request.invalid_argument.empty()) {
    // Allocated before any chunk runs, so that a range too large for the root fails every rank
    // through the agreement instead of leaving the others waiting for results.
    try {
      results.resize(range.size());
    } catch (const std::exception& e) {
      request.invalid_argument = "map_to: the root cannot hold " + std::to_string(range.size()) +
                                 " results (" + e.what() + ")";
    }
  }
  pending_results<R> pending;
  operation_journal journal(ctx, "map_to", request);
  byte_buffer payload;
  std::vector<R> scratch;
  // Under a checkpoint a chunk's results are made (or read back from the journal) in `scratch`
  // first: the journal needs them as one record, wherever they go next.
  const auto journaled_chunk = [&](const chunk& c, std::uint64_t offset) {
    journaled_chunk_results(journal, c, fn, scratch, payload);
    if (is_root) {
      std::move(scratch.begin(), scratch.end(),
                results.begin() + static_cast<std::ptrdiff_t>(offset));
    } else {
      // auto&&: std::vector<bool> hands out proxies, not bool&.
      for (auto&& value : scratch) pending.push(R(std::move(value)));
      pending.add_run(offset, c.size());
    }
  };
  execute(
      ctx, request,
      [&](const chunk& c) {
        const std::uint64_t offset = c.begin - range.begin;
        if (journal.active()) {
          journaled_chunk(c, offset);
        } else if (is_root) {
          for (std::uint64_t i = c.begin; i < c.end; ++i) {
            results[offset + (i - c.begin)] = std::invoke(fn, i);
          }
        } else {
          for (std::uint64_t i = c.begin; i < c.end; ++i) pending.push(std::invoke(fn, i));
          pending.add_run(offset, c.size());
        }
      },
      [] { return std::uint64_t{0}; });
  const pull_outcome outcome = pull_to_root(
      ctx.communicator(), root,
      [&](byte_buffer& batch) { return pending.fill(batch, batch_bytes); },
      [&](batch_streams& streams) {
        // Every rank prepares its first batch at once; the root then takes them rank by rank.
        for (int rank = 0; rank < streams.ranks(); ++rank) streams.prefetch(rank);
        for (int rank = 0; rank < streams.ranks(); ++rank) {
          while (auto batch = streams.next(rank)) take_results(*batch, results);
        }
      });
  if (outcome.what != pull_outcome::kind::ok) {
    throw task_error(outcome.rank, task_error::no_chunk, outcome.message);
  }
  return results;
}

}  // namespace detail

/// Returns {fn(range.begin), ..., fn(range.end - 1)} on `root`, in index order, and an empty vector
/// on every other rank. Each rank computes the indices of the chunks it is given; the root writes
/// its own results in place and pulls the others' in batches of about 1 MiB (numbers and other
/// trivially copyable results as raw bytes), so a rank other than the root holds only the results
/// of its own chunks. Throws mpimr::invalid_argument on every rank unless all pass the same root
/// and it is a rank; an exception in `fn` on any rank is thrown on every rank as
/// mpimr::task_error. Collective.
template <class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, std::uint64_t>>>
requires std::invocable<Fn&, std::uint64_t> && std::default_initializable<R>
[[nodiscard]] std::vector<R> map_to(context& ctx, int root, index_range range, Fn fn,
                                    const options& opts = {}) {
  return detail::map_to_root<R>(ctx, root, range, fn, opts, detail::default_batch_bytes);
}

/// Returns {fn(items[0]), ..., fn(items[n-1])} on `root` only. `items` must hold the same values on
/// every rank (each rank reads only the items of its chunks).
template <class T, class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, const T&>>>
requires std::invocable<Fn&, const T&>
[[nodiscard]] std::vector<R> map_to(context& ctx, int root, std::span<const T> items, Fn fn,
                                    const options& opts = {}) {
  return mpimr::map_to(
      ctx, root, index_range{0, items.size()},
      [&](std::uint64_t i) { return std::invoke(fn, items[i]); }, opts);
}

template <class T, class A, class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, const T&>>>
requires std::invocable<Fn&, const T&>
[[nodiscard]] std::vector<R> map_to(context& ctx, int root, const std::vector<T, A>& items, Fn fn,
                                    const options& opts = {}) {
  return mpimr::map_to(ctx, root, std::span<const T>(items), std::move(fn), opts);
}

}  // namespace mpimr
