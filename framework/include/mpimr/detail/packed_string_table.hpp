// The combining table for std::string keys with plain values (word count's case): the entries
// are packed in one byte array (packed_entries.hpp), found through an open-addressing index of
// 8-byte slots, each holding an entry's offset and 24 bits of its key's hash.
//
// Why it looks keys up in batches: with a large vocabulary most lookups of rare words miss the
// cache twice (the slot, then the entry), and a miss costs as much as tokenizing a whole line.
// emit() only hashes the key, copies it aside and prefetches its slot; every `batch_size` keys the
// batch is looked up, first prefetching the entries the slots point at, then combining. The
// misses of a batch overlap instead of following one another.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/key_hash.hpp"
#include "mpimr/detail/packed_entries.hpp"
#include "mpimr/detail/short_keys.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

template <packable_value V, class Combine>
class packed_string_table {
 public:
  using entries_type = packed_entries<V>;

  explicit packed_string_table(Combine combine) : combine_(std::move(combine)) {}

  /// Combines `value` into the entry of `key`, or adds one. Takes effect by the next call of any
  /// other member (the key is copied, so the caller's buffer may change at once).
  void emit(std::string_view key, V value) { emit_hashed(key, stable_key_hash(key), value); }
  /// The same for a caller that has the key's stable_key_hash already.
  void emit_hashed(std::string_view key, std::uint64_t hash, V value) {
    if (key.size() > pending_keys_.size() - pending_key_end_) {
      flush();
      if (key.size() > pending_keys_.size()) {  // a key too long to wait: looked up at once
        upsert_long_key(hash, key, value);
        return;
      }
    }
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
    if (key.size() <= 16) {
      copy_short_key(pending_keys_.data() + pending_key_end_, key);
    } else {
      // The key fits (checked above); the bound spells that out for g++ 12, which otherwise
      // warns (-Warray-bounds) where a long key's size is known at compile time.
      const std::size_t end = std::min(pending_key_end_, pending_key_bytes);
      std::memcpy(pending_keys_.data() + end, key.data(),
                  std::min(key.size(), pending_key_bytes - end));
    }
    pending_[pending_count_] = {hash, pending_key_end_, key.size(), value};
    pending_key_end_ += key.size();
    if (++pending_count_ == batch_size) flush();
  }
  void emit_owned(std::string&& key, V value) { emit(key, value); }

  /// Emits every record of a buffer written by drain_by_owner, keys read in place.
  void emit_records(std::span<const std::byte> records) {
    entries_type::for_each_record(records,
                                  [&](std::string_view key, const V& value) { emit(key, value); });
  }

  [[nodiscard]] std::size_t size() {
    flush();
    return entries_.size();
  }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty() && pending_count_ == 0; }
  /// Memory in use: entries, index slots and the keys waiting in the batch.
  [[nodiscard]] std::uint64_t bytes() const noexcept {
    return entries_.bytes() + slots_.size() * sizeof(std::uint64_t) + pending_key_end_;
  }

  /// Empties the table. Returns the entries in the packed record format, buffer
  /// d holding the records that `owner_of(std::string_view key)` says rank d owns, except that
  /// entries owned by `self` go to `keep(std::string_view, V)`. Keeps the storage for reuse.
  template <class OwnerOf, class Keep>
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks, OwnerOf&& owner_of, int self,
                                                        Keep&& keep) {
    flush();
    std::vector<byte_buffer> out(static_cast<std::size_t>(ranks));
    // Room for twice a fair share of the records, so buffers do not grow by copying; untouched
    // room costs address space only.
    const std::size_t encoded = entries_.bytes();
    const std::size_t share =
        ranks > 1 ? 2 * encoded / static_cast<std::size_t>(ranks - 1) : encoded;
    for (auto& buffer : out) buffer.reserve(std::min(encoded, share));
    for (const auto& [key, value] : entries_) {
      const int owner = owner_of(key);
      if (owner == self) {
        keep(key, value);
        continue;
      }
      entries_type::append_record(out[static_cast<std::size_t>(owner)], key, value);
    }
    entries_.clear();
    std::fill(slots_.begin(), slots_.end(), 0);
    return out;
  }

  /// The same with owners by stable hash and nothing kept.
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks) {
    return drain_by_owner(
        ranks, [ranks](std::string_view key) { return owner_rank(stable_key_hash(key), ranks); },
        -1, [](std::string_view, const V&) {});
  }

  /// Hands over the entries (in insertion order), leaving the table empty.
  [[nodiscard]] entries_type take_entries() {
    flush();
    entries_type taken = std::move(entries_);
    release();
    return taken;
  }

  /// Combines the keys still waiting in the batch (other members do so themselves; this is for a
  /// caller that must see a throwing combine at a chosen point).
  void combine_waiting() { flush(); }

  /// Frees the index but keeps the entries: before a last drain, which reads only the entries.
  /// Call combine_waiting first, or the drain's lookups rebuild the index.
  void drop_index() noexcept { slots_ = {}; }

  /// Empties the table and frees its storage.
  void release() noexcept {
    entries_.release();
    slots_ = {};
    pending_count_ = 0;
    pending_key_end_ = 0;
  }

  template <class F>
  void for_each(F&& f) {
    flush();
    for (const auto& [key, value] : entries_) f(key, value);
  }

 private:
  static constexpr std::size_t batch_size = 16;
  static constexpr std::size_t pending_key_bytes = 512;
  static constexpr std::size_t first_slot_count = 64;
  static constexpr unsigned offset_bits = 40;
  static constexpr std::uint64_t offset_mask = (std::uint64_t{1} << offset_bits) - 1;

  struct pending_key {
    std::uint64_t hash;
    std::size_t key_at;  // in pending_keys_
    std::size_t key_length;
    V value;
  };

  /// Looks up the waiting keys: slots first (prefetched by emit), then the entries they point at,
  /// then combines.
  void flush() {
    const std::size_t count = pending_count_;
    if (count == 0) return;
    pending_count_ = 0;  // nothing is combined twice, even if combine throws below
    pending_key_end_ = 0;
    reserve_slots(entries_.size() + count);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t n = 0; n < count; ++n) {
      const std::uint64_t slot = slots_[pending_[n].hash & mask];
      if (slot != 0 && (slot >> offset_bits) == (pending_[n].hash >> offset_bits)) {
        __builtin_prefetch(entries_.address((slot & offset_mask) - 1));
      }
    }
    for (std::size_t n = 0; n < count; ++n) {
      const pending_key& p = pending_[n];
      upsert(p.hash, std::string_view(pending_keys_.data() + p.key_at, p.key_length), p.value);
    }
  }

  /// At most 4/5 of the slots in use with `entries` keys.
  void reserve_slots(std::size_t entries) {
    if (5 * entries > 4 * slots_.size()) grow(entries);
  }

  /// Combines into the key's entry, or adds one. Inlined into flush (it runs once per emit);
  /// adding an entry, rare once the vocabulary is known, is out of line.
  [[gnu::always_inline]] inline void upsert(std::uint64_t hash, std::string_view key,
                                            const V& value) {
    const std::uint64_t tag = hash >> offset_bits;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) {
        insert(i, tag, key, value);
        return;
      }
      if ((slot >> offset_bits) != tag) continue;
      const auto [found, value_at] = entries_.record_at((slot & offset_mask) - 1);
      if (!same_key(found, key)) continue;
      entries_.set_value(value_at, combine_(entries_.value(value_at), value));
      return;
    }
  }

  [[gnu::noinline]] void upsert_long_key(std::uint64_t hash, std::string_view key, const V& value) {
    reserve_slots(entries_.size() + 1);
    upsert(hash, key, value);
  }

  [[gnu::noinline]] void insert(std::size_t slot_index, std::uint64_t tag, std::string_view key,
                                const V& value) {
    const std::size_t offset = entries_.append(key, value);
    if (offset >= offset_mask) {
      throw error("mpimr: more than 1 TiB of keys in one rank's combining table");
    }
    slots_[slot_index] = (tag << offset_bits) | (offset + 1);
  }

  /// Rebuilds the index with room for `entries` keys.
  void grow(std::size_t entries) {
    std::size_t count = std::max(first_slot_count, slots_.size());
    while (5 * entries > 4 * count) count *= 2;
    slots_.assign(count, 0);
    const std::size_t mask = count - 1;
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      const std::uint64_t hash = stable_key_hash((*it).first);
      std::size_t i = hash & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = ((hash >> offset_bits) << offset_bits) | (it.offset() + 1);
    }
  }

  Combine combine_;
  entries_type entries_;
  std::vector<std::uint64_t> slots_;  // 0: empty; else (hash >> 40) << 40 | entry offset + 1
  std::array<pending_key, batch_size> pending_{};
  std::size_t pending_count_ = 0;
  std::array<char, pending_key_bytes> pending_keys_{};  // the waiting keys, back to back
  std::size_t pending_key_end_ = 0;
};

}  // namespace mpimr::detail
