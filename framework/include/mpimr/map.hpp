// mpimr::map: one result per index or per item, gathered in order on every rank (like Pool.map).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/reduce_core.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"

namespace mpimr {

namespace detail {

template <class R>
void encode_results(byte_writer& w, const std::vector<R>& values) {
  if constexpr (std::is_trivially_copyable_v<R> && !std::is_same_v<R, bool>) {
    w.raw(values.data(), sizeof(R) * values.size());
  } else {
    for (const R& v : values) encode(w, v);
  }
}

template <class R>
void decode_results(byte_reader& r, std::vector<R>& out, std::uint64_t offset,
                    std::uint64_t count) {
  if constexpr (std::is_trivially_copyable_v<R> && !std::is_same_v<R, bool>) {
    r.raw(out.data() + offset, sizeof(R) * count);
  } else {
    for (std::uint64_t i = 0; i < count; ++i) {
      R value{};
      decode(r, value);
      out[offset + i] = std::move(value);
    }
  }
}

}  // namespace detail

/// Returns {fn(range.begin), ..., fn(range.end - 1)} on every rank, in index order. Each rank
/// computes the indices of the chunks it is given; the results are then exchanged.
template <class Fn, class R = std::decay_t<std::invoke_result_t<Fn&, std::uint64_t>>>
requires std::invocable<Fn&, std::uint64_t> && std::default_initializable<R>
[[nodiscard]] std::vector<R> map(context& ctx, index_range range, Fn fn, const options& opts = {}) {
  detail::execution_request request = detail::make_request(range, opts);
  detail::check_callable(fn, "map function", request);
  detail::byte_buffer mine;
  detail::byte_writer writer(mine);
  std::vector<R> scratch;
  detail::execute(
      ctx, request,
      [&](const chunk& c) {
        scratch.clear();
        scratch.reserve(c.size());
        for (std::uint64_t i = c.begin; i < c.end; ++i) scratch.push_back(std::invoke(fn, i));
        writer.pod(c.id);
        detail::encode_results(writer, scratch);
      },
      [] { return std::uint64_t{0}; });
  const auto all = detail::allgather_bytes(ctx.communicator(), std::move(mine));
  std::vector<R> results(range.size());
  for (const auto& from_rank : all) {
    detail::byte_reader reader(from_rank);
    while (!reader.at_end()) {
      const chunk c = request.plan.at(reader.pod<std::uint64_t>());
      detail::decode_results(reader, results, c.begin - range.begin, c.size());
    }
  }
  return results;
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
