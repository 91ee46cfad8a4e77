// The combining table of a key-value shuffle, used on both sides: on the map side values emitted
// for the same key are combined in place before anything travels (a combiner) and then drained as
// encoded records grouped by owner rank; on the owner it accumulates the result.
//
// Why not std::unordered_map: word count spends most of its time looking up keys, and a node-based
// map costs a pointer chase and an allocation per key and ~80 bytes per entry. This table keeps the
// entries contiguous, in insertion order, and finds them through an open-addressing index of 8-byte
// slots (entry number and 32 bits of the hash, so most mismatches never touch the entry). String
// keys are looked up by std::string_view: a key string is built only when a new key is inserted.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/key_hash.hpp"
#include "mpimr/detail/type_traits.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// How a key is passed in for lookup: std::string keys as std::string_view (no copy for keys that
/// are present already), other keys by reference.
template <class K>
struct lookup_key {
  using type = const K&;
};
template <>
struct lookup_key<std::string> {
  using type = std::string_view;
};
template <class K>
using lookup_key_t = typename lookup_key<K>::type;

/// Heap bytes a value owns beyond its own size (strings past the small-string buffer, vectors of
/// plain elements); other types count as their size only.
template <class T>
[[nodiscard]] std::size_t heap_bytes(const T& value) noexcept {
  if constexpr (std::is_same_v<T, std::string>) {
    return value.capacity() > std::string().capacity() ? value.capacity() + 1 : 0;
  } else if constexpr (is_std_vector<T>::value) {
    return value.capacity() * sizeof(typename T::value_type);
  } else {
    return 0;
  }
}

/// Calls `f(K&&, V&&)` for every record of a buffer written by drain_by_owner.
template <class K, class V, class F>
void for_each_record(std::span<const std::byte> records, F&& f) {
  byte_reader reader(records);
  while (!reader.at_end()) {
    K key{};
    V value{};
    decode(reader, key);
    decode(reader, value);
    f(std::move(key), std::move(value));
  }
}

template <class K, class V, class Combine>
class combining_table {
 public:
  using entry = std::pair<K, V>;
  using entries_type = std::vector<entry>;

  explicit combining_table(Combine combine) : combine_(std::move(combine)) {}

  /// Combines `value` into the entry of `key`, or adds one with a copy of the key.
  void emit(lookup_key_t<K> key, V value) {
    emit_hashed(key, stable_key_hash(key), std::move(value));
  }
  /// The same for a caller that has the key's stable_key_hash already.
  void emit_hashed(lookup_key_t<K> key, std::uint64_t hash, V value) {
    upsert(
        key, hash, [&] { return K(key); }, std::move(value));
  }
  /// The same, taking the key's storage when the key is new.
  void emit_owned(K&& key, V value) {
    const auto view = static_cast<lookup_key_t<K>>(key);
    upsert(
        view, stable_key_hash(view), [&] { return std::move(key); }, std::move(value));
  }

  /// Emits every record of a buffer written by drain_by_owner.
  void emit_records(std::span<const std::byte> records) {
    for_each_record<K, V>(
        records, [&](K&& key, V&& value) { emit_owned(std::move(key), std::move(value)); });
  }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  /// Estimated memory: entries, index slots, and the heap parts of keys and values.
  [[nodiscard]] std::uint64_t bytes() const noexcept {
    return entries_.size() * (sizeof(entry) + slot_bytes_per_entry) + heap_;
  }

  /// Empties the table. Returns the entries encoded, buffer d holding the records that
  /// `owner_of(key)` says rank d owns, except that entries owned by `self` go to `keep(K&&, V&&)`
  /// unencoded. Keeps the storage for reuse.
  template <class OwnerOf, class Keep>
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks, OwnerOf&& owner_of, int self,
                                                        Keep&& keep) {
    std::vector<byte_buffer> out(static_cast<std::size_t>(ranks));
    for (auto& [key, value] : entries_) {
      const int owner = owner_of(std::as_const(key));
      if (owner == self) {
        keep(std::move(key), std::move(value));
        continue;
      }
      byte_writer writer(out[static_cast<std::size_t>(owner)]);
      encode(writer, key);
      encode(writer, value);
    }
    clear();
    return out;
  }

  /// The same with owners by stable hash and nothing kept.
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks) {
    return drain_by_owner(
        ranks, [ranks](const K& key) { return owner_rank(stable_key_hash(key), ranks); }, -1,
        [](K&&, V&&) {});
  }

  /// Hands over the entries (in no particular order), leaving the table empty.
  [[nodiscard]] entries_type take_entries() noexcept {
    entries_type taken = std::move(entries_);
    release();
    return taken;
  }

  /// Nothing waits in this table: every emit is combined at once.
  void combine_waiting() noexcept {}

  /// Frees the index but keeps the entries: before a last drain, which reads only the entries.
  void drop_index() noexcept { slots_ = {}; }

  /// Empties the table but keeps its storage for the next use.
  void clear() noexcept {
    entries_.clear();
    std::fill(slots_.begin(), slots_.end(), 0);
    heap_ = 0;
  }

  /// Empties the table and frees its storage.
  void release() noexcept {
    entries_ = entries_type{};
    slots_ = {};
    heap_ = 0;
  }

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, value] : entries_) f(key, value);
  }

 private:
  // Slots are at most half full: 2 slots of 8 bytes per entry, on average a little more.
  static constexpr std::size_t slot_bytes_per_entry = 24;
  static constexpr std::size_t first_slot_count = 64;

  template <class MakeKey>
  void upsert(lookup_key_t<K> key, std::uint64_t hash, MakeKey&& make_key, V&& value) {
    if (2 * (entries_.size() + 1) > slots_.size()) grow();
    const std::uint64_t tag = hash >> 32U;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) {
        insert_at(i, tag, make_key(), std::move(value));
        return;
      }
      if ((slot >> 32U) != tag) continue;
      entry& found = entries_[(slot & 0xFFFFFFFFU) - 1];
      if (!(found.first == key)) continue;
      const std::size_t before = heap_bytes(found.second);
      found.second = combine_(std::move(found.second), std::move(value));
      heap_ = heap_ - before + heap_bytes(found.second);
      return;
    }
  }

  void insert_at(std::size_t slot, std::uint64_t tag, K&& key, V&& value) {
    if (entries_.size() >= std::numeric_limits<std::uint32_t>::max() - 1) {
      throw error("mpimr: more than 2^32 - 2 distinct keys in one rank's combining table");
    }
    entries_.emplace_back(std::move(key), std::move(value));
    const entry& added = entries_.back();
    heap_ += heap_bytes(added.first) + heap_bytes(added.second);
    slots_[slot] = (tag << 32U) | entries_.size();
  }

  void grow() {
    slots_.assign(slots_.empty() ? first_slot_count : 2 * slots_.size(), 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t n = 0; n < entries_.size(); ++n) {
      const std::uint64_t hash = stable_key_hash(entries_[n].first);
      std::size_t i = hash & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = ((hash >> 32U) << 32U) | (n + 1);
    }
  }

  Combine combine_;
  entries_type entries_;
  std::vector<std::uint64_t> slots_;  // 0: empty; else (hash >> 32) << 32 | entry number + 1
  std::uint64_t heap_ = 0;
};

}  // namespace mpimr::detail
