// A chunk's results as bytes: raw for trivially copyable results, the codec for others. Used
// where results travel (map's gather) and where they are journaled (map, map_to).
#pragma once

#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/operation_journal.hpp"
#include "mpimr/index_range.hpp"

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

/// Chunk `c`'s results in `out`: read back from the journal when it holds them, else computed by
/// `fn` and, under a checkpoint, recorded. `payload` is scratch space kept between chunks.
template <class R, class Fn>
void journaled_chunk_results(operation_journal& journal, const chunk& c, Fn& fn,
                             std::vector<R>& out, byte_buffer& payload) {
  if (journal.active() && journal.find(c.id, payload)) {
    byte_reader recorded(payload);
    out.resize(c.size());
    decode_results(recorded, out, 0, c.size());
    return;
  }
  out.clear();
  out.reserve(c.size());
  for (std::uint64_t i = c.begin; i < c.end; ++i) out.push_back(std::invoke(fn, i));
  if (journal.active()) {
    payload.clear();
    byte_writer record(payload);
    encode_results(record, out);
    journal.record(c.id, payload);
  }
}

}  // namespace mpimr::detail
