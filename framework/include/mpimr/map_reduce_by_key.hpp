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
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/shuffle.hpp"
#include "mpimr/detail/text_splits.hpp"
#include "mpimr/distributed_map.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"
#include "mpimr/text_input.hpp"

namespace mpimr {

/// What a mapper gets to emit pairs with: a non-owning callable reference, so an emit costs an
/// indirect call and never an allocation.
template <class K, class V>
using emitter = detail::function_ref<void(K, V)>;

namespace detail {

inline constexpr std::uint64_t default_shuffle_round_bytes = std::uint64_t{64} << 20U;

/// Runs `map_index(i, emit)` for every index of the request's plan, then shuffles to the owners.
template <class K, class V, class MapIndex, class Combine>
[[nodiscard]] distributed_map<K, V> map_reduce_indices(context& ctx,
                                                       const execution_request& request,
                                                       MapIndex& map_index, Combine& combine,
                                                       const options& opts) {
  combining_table<K, V, Combine> local(combine);
  auto emit_into_local = [&](K key, V value) { local.emit(std::move(key), std::move(value)); };
  const emitter<K, V> emit(emit_into_local);
  execute(
      ctx, request,
      [&](const chunk& c) {
        for (std::uint64_t i = c.begin; i < c.end; ++i) map_index(i, emit);
      },
      [] { return std::uint64_t{0}; });
  combining_table<K, V, Combine> owned(combine);
  shuffle_to_owners(
      ctx, local, owned,
      opts.shuffle_round_bytes != 0 ? opts.shuffle_round_bytes : default_shuffle_round_bytes);
  return distributed_map<K, V>(ctx, owned.take_entries());
}

}  // namespace detail

/// Calls `mapper(index, emit)` for every index of `range`; `emit(key, value)` any number of times.
/// `combine(V, V) -> V` must be associative and commutative. Returns the combined value of every
/// key, each key held by the rank that owns it. Memory: one table of distinct keys per rank for the
/// map side, exchange buffers of at most options.shuffle_round_bytes per round.
template <class K, class V, class Mapper, class Combine>
requires std::invocable < Mapper&, std::uint64_t, const emitter<K, V>
& > &&std::invocable<Combine&, V, V> [[nodiscard]] distributed_map<K, V> map_reduce_by_key(
        context& ctx, index_range range, Mapper mapper, Combine combine, const options& opts = {}) {
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(mapper, "map_reduce_by_key mapper", request);
  detail::check_callable(combine, "map_reduce_by_key combine", request);
  auto map_index = [&](std::uint64_t i, const emitter<K, V>& emit) {
    std::invoke(mapper, i, emit);
  };
  return detail::map_reduce_indices<K, V>(ctx, request, map_index, combine, opts);
}

/// The same over a list of items (the same on every rank): `mapper(item, emit)`.
template <class K, class V, class T, class Mapper, class Combine>
requires std::invocable < Mapper&, const T&, const emitter<K, V>
& > &&std::invocable<Combine&, V, V> [[nodiscard]] distributed_map<K, V> map_reduce_by_key(
        context& ctx, std::span<const T> items, Mapper mapper, Combine combine,
        const options& opts = {}) {
  return map_reduce_by_key<K, V>(
      ctx, index_range{0, items.size()},
      [&](std::uint64_t i, const emitter<K, V>& emit) { std::invoke(mapper, items[i], emit); },
      std::move(combine), opts);
}

/// The same over the lines of text files: `mapper(std::string_view line, emit)`, the line without
/// its '\n' and valid only during the call. Each split of `input.split_bytes` is one index (so
/// options.chunk_size counts splits; 0 means one). Missing or unreadable inputs, an empty list or a
/// folder without files throw mpimr::invalid_argument on every rank, even if only one rank saw it.
template <class K, class V, class Mapper, class Combine>
requires std::invocable < Mapper&, std::string_view, const emitter<K, V>
& > &&std::invocable<Combine&, V, V> [[nodiscard]] distributed_map<K, V> map_reduce_by_key(
        context& ctx, const text_input& input, Mapper mapper, Combine combine, options opts = {}) {
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
  auto map_index = [&](std::uint64_t i, const emitter<K, V>& emit) {
    const detail::text_split& split = splits[i];
    detail::for_each_line(files[split.file], split,
                          [&](std::string_view line) { std::invoke(mapper, line, emit); });
  };
  return detail::map_reduce_indices<K, V>(ctx, request, map_index, combine, opts);
}

}  // namespace mpimr
