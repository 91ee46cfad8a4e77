// mpimr::map_reduce_by_key: the classic MapReduce, typed. A mapper emits (key, value) pairs; values
// of one key are combined locally (a combiner), shuffled to the rank that owns the key (a stable
// hash of it), and combined there.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/detail/shuffle.hpp"
#include "mpimr/distributed_map.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

/// What a mapper gets to emit pairs with: a non-owning callable reference, so an emit costs an
/// indirect call and never an allocation.
template <class K, class V>
using emitter = detail::function_ref<void(K, V)>;

/// Calls `mapper(index, emit)` for every index of `range`; `emit(key, value)` any number of times.
/// `combine(V, V) -> V` must be associative and commutative. Returns the combined value of every
/// key, each key held by the rank that owns it. Memory: one table of distinct keys per rank for the
/// map side, exchange buffers of at most options.shuffle_round_bytes per round.
template <class K, class V, class Mapper, class Combine>
requires std::invocable < Mapper&, std::uint64_t, const emitter<K, V>
& > &&std::invocable<Combine&, V, V> [[nodiscard]] distributed_map<K, V> map_reduce_by_key(
        context& ctx, index_range range, Mapper mapper, Combine combine, const options& opts = {}) {
  constexpr std::uint64_t default_round_bytes = std::uint64_t{64} << 20U;
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(mapper, "map_reduce_by_key mapper", request);
  detail::check_callable(combine, "map_reduce_by_key combine", request);
  detail::combining_table<K, V, Combine> local(combine);
  auto emit_into_local = [&](K key, V value) { local.emit(std::move(key), std::move(value)); };
  const emitter<K, V> emit(emit_into_local);
  detail::execute(
      ctx, request,
      [&](const chunk& c) {
        for (std::uint64_t i = c.begin; i < c.end; ++i) std::invoke(mapper, i, emit);
      },
      [] { return std::uint64_t{0}; });
  detail::combining_table<K, V, Combine> owned(combine);
  detail::shuffle_to_owners(
      ctx, local, owned,
      opts.shuffle_round_bytes != 0 ? opts.shuffle_round_bytes : default_round_bytes);
  return distributed_map<K, V>(ctx, owned.take_entries());
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

}  // namespace mpimr
