// mpimr::map_reduce_by_key: the classic MapReduce, typed. A mapper emits (key, value) pairs; values
// of one key are combined locally (a combiner), shuffled to the rank that owns the key (a stable
// hash of it), and combined there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/detail/journaled_pairs.hpp"
#include "mpimr/detail/key_exchange.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/report_scope.hpp"
#include "mpimr/detail/text_splits.hpp"
#include "mpimr/distributed_map.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"
#include "mpimr/partition.hpp"
#include "mpimr/text_input.hpp"

namespace mpimr {

/// What a mapper gets to emit pairs with: a non-owning callable reference, so an emit costs an
/// indirect call and never an allocation. The key is passed by reference, std::string keys as
/// std::string_view (so a mapper can emit a view into its input); a copy is made only for a key the
/// rank has not seen yet.
template <class K, class V>
using emitter = detail::function_ref<void(detail::lookup_key_t<K>, V)>;

namespace detail {

/// Runs `map_index(i, emit)` for every index of the request's plan while the pairs travel to their
/// owners.
template <class K, class V, class MapIndex, class Combine, class Partition>
[[nodiscard]] distributed_map<K, V> map_reduce_indices(context& ctx,
                                                       const execution_request& request,
                                                       MapIndex& map_index, Combine& combine,
                                                       Partition& partition, const options& opts) {
  report_scope report(ctx);  // first: it times the whole operation
  key_exchange<K, V, Combine, Partition> exchange(ctx, combine, std::move(partition),
                                                  opts.shuffle_buffer_bytes);
  auto emit_into_exchange = [&](detail::lookup_key_t<K> key, V value) {
    exchange.emit(key, std::move(value));
  };
  const emitter<K, V> emit(emit_into_exchange);
  auto poll = [&] { exchange.poll(); };
  auto complete = [&] { exchange.complete(); };
  const exchange_hooks hooks{poll, complete};
  journaled_pairs<K, V, Combine> journal(ctx, request, combine);
  execute(
      ctx, request,
      [&](const chunk& c) {
        exchange.poll_in_chunk();
        if (!journal.active()) {
          for (std::uint64_t i = c.begin; i < c.end; ++i) map_index(i, emit);
          return;
        }
        journal.run(
            c.id,
            [&](const emitter<K, V>& chunk_emit) {
              for (std::uint64_t i = c.begin; i < c.end; ++i) map_index(i, chunk_emit);
            },
            emit_into_exchange);
      },
      [] { return std::uint64_t{0}; }, &hooks);
  return distributed_map<K, V>(ctx, exchange.take_owned());
}

}  // namespace detail

/// Calls `mapper(index, emit)` for every index of `range`; `emit(key, value)` any number of times.
/// `combine(V, V) -> V` must be associative and commutative. Returns the combined value of every
/// key, each key held by the rank that `partition(key, ranks)` names (default: a stable hash).
/// Memory per rank: the keys it owns, plus options.shuffle_buffer_bytes for the map-side table
/// and the batch in flight, whatever the size of the input.
template <class K, class V, class Mapper, class Combine, class Partition = hash_partition>
requires std::invocable < Mapper&, std::uint64_t, const emitter<K, V>
& > &&std::invocable<Combine&, V, V>&&
        std::is_invocable_r_v<int, Partition&, const K&, int> [[nodiscard]] distributed_map<K, V>
        map_reduce_by_key(context& ctx, index_range range, Mapper mapper, Combine combine,
                          const options& opts = {}, Partition partition = {}) {
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(mapper, "map_reduce_by_key mapper", request);
  detail::check_callable(combine, "map_reduce_by_key combine", request);
  detail::check_callable(partition, "map_reduce_by_key partition", request);
  auto map_index = [&](std::uint64_t i, const emitter<K, V>& emit) {
    std::invoke(mapper, i, emit);
  };
  return detail::map_reduce_indices<K, V>(ctx, request, map_index, combine, partition, opts);
}

/// The same over a list of items (the same on every rank): `mapper(item, emit)`.
template <class K, class V, class T, class Mapper, class Combine, class Partition = hash_partition>
requires std::invocable < Mapper&, const T&, const emitter<K, V>
& > &&std::invocable<Combine&, V, V>&&
        std::is_invocable_r_v<int, Partition&, const K&, int> [[nodiscard]] distributed_map<K, V>
        map_reduce_by_key(context& ctx, std::span<const T> items, Mapper mapper, Combine combine,
                          const options& opts = {}, Partition partition = {}) {
  return map_reduce_by_key<K, V>(
      ctx, index_range{0, items.size()},
      [&](std::uint64_t i, const emitter<K, V>& emit) { std::invoke(mapper, items[i], emit); },
      std::move(combine), opts, std::move(partition));
}

/// The same over the lines of text files: `mapper(std::string_view line, emit)`, the line without
/// its '\n' and valid only during the call. Each split of `input.split_bytes` is one index (so
/// options.chunk_size counts splits; 0 means one). Missing or unreadable inputs, an empty list or a
/// folder without files throw mpimr::invalid_argument on every rank, even if only one rank saw it.
template <class K, class V, class Mapper, class Combine, class Partition = hash_partition>
requires std::invocable < Mapper&, std::string_view, const emitter<K, V>
& > &&std::invocable<Combine&, V, V>&&
        std::is_invocable_r_v<int, Partition&, const K&, int> [[nodiscard]] distributed_map<K, V>
        map_reduce_by_key(context& ctx, const text_input& input, Mapper mapper, Combine combine,
                          options opts = {}, Partition partition = {}) {
  std::vector<std::filesystem::path> files;
  std::vector<detail::text_split> splits;
  std::string input_error;
  try {
    files = detail::expand_inputs(input.paths);
    splits = detail::plan_text_splits(files, input.split_bytes);
  } catch (const error& e) {
    input_error = e.what();
    splits.clear();
  }
  if (opts.chunk_size == 0) opts.chunk_size = 1;
  detail::execution_request request = detail::make_request(index_range{0, splits.size()}, opts);
  if (!input_error.empty()) request.invalid_argument = input_error;
  detail::check_callable(mapper, "map_reduce_by_key mapper", request);
  detail::check_callable(combine, "map_reduce_by_key combine", request);
  detail::check_callable(partition, "map_reduce_by_key partition", request);
  auto map_index = [&](std::uint64_t i, const emitter<K, V>& emit) {
    const detail::text_split& split = splits[i];
    detail::for_each_line(files[split.file], split,
                          [&](std::string_view line) { std::invoke(mapper, line, emit); });
  };
  return detail::map_reduce_indices<K, V>(ctx, request, map_index, combine, partition, opts);
}

}  // namespace mpimr
