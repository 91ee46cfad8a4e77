// A chunk's results as bytes: raw for trivially copyable results, the codec for others. Used
// where results travel (map's gather) and where they are journaled (map, map_to).
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"

namespace mpimr::detail {

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

}  // namespace mpimr::detail
