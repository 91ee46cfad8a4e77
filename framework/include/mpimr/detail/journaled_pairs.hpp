// map_reduce_by_key under a checkpoint: a chunk's pairs, combined within the chunk, are its journal
// record, and a rerun emits the recorded pairs instead of mapping the chunk again. Without a
// checkpoint the mapper emits straight into the shuffle and none of this runs.
#pragma once

#include <cstdint>
#include <utility>

#include "mpimr/context.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/detail/operation_journal.hpp"

namespace mpimr::detail {

template <class K, class V, class Combine>
class journaled_pairs {
 public:
  journaled_pairs(context& ctx, const execution_request& request, const Combine& combine)
      : journal_(ctx, "map_reduce_by_key", request), chunk_table_(combine) {}

  [[nodiscard]] bool active() const noexcept { return journal_.active(); }

  /// The chunk's pairs, each passed once to `sink(lookup_key_t<K>, V)`: from the journal when the
  /// chunk is there, else from `map_chunk(emit)`, combined per key (combine is associative and
  /// commutative, so the owner's result is the same) and recorded before they are passed on.
  template <class MapChunk, class Sink>
  void run(std::uint64_t chunk_id, MapChunk&& map_chunk, Sink&& sink) {
    if (journal_.find(chunk_id, payload_)) {
      for_each_record<K, V>(payload_, [&](K&& key, V&& value) {
        sink(static_cast<lookup_key_t<K>>(key), std::move(value));
      });
      return;
    }
    chunk_table_.clear();
    auto into_table = [&](lookup_key_t<K> key, V value) {
      chunk_table_.emit(key, std::move(value));
    };
    map_chunk(function_ref<void(lookup_key_t<K>, V)>(into_table));
    payload_.clear();
    byte_writer writer(payload_);
    chunk_table_.for_each([&](const K& key, const V& value) {
      encode(writer, key);
      encode(writer, value);
    });
    journal_.record(chunk_id, payload_);
    chunk_table_.for_each(
        [&](const K& key, const V& value) { sink(static_cast<lookup_key_t<K>>(key), value); });
    chunk_table_.clear();
  }

 private:
  operation_journal journal_;
  combining_table<K, V, Combine> chunk_table_;
  byte_buffer payload_;
};

}  // namespace mpimr::detail
