// The map side of a key-value shuffle: values emitted for the same key are combined in place before
// anything travels (a combiner), then drained as encoded records grouped by the rank that owns each
// key, a bounded number of bytes at a time so that a shuffle can run in rounds.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/key_hash.hpp"

namespace mpimr::detail {

template <class K>
struct stable_hasher {
  std::size_t operator()(const K& key) const {
    return static_cast<std::size_t>(stable_key_hash(key));
  }
};

template <class K, class V, class Combine>
class combining_table {
 public:
  explicit combining_table(Combine combine) : combine_(std::move(combine)) {}

  void emit(K key, V value) {
    auto [slot, inserted] = entries_.try_emplace(std::move(key), std::move(value));
    if (!inserted) slot->second = combine_(std::move(slot->second), std::move(value));
  }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

  /// Removes entries and returns them encoded, buffer d holding the records rank d owns, until the
  /// buffers hold at least `max_bytes` in all (one record may pass the limit, so that any record,
  /// however large, makes progress) or the table is empty.
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks, std::uint64_t max_bytes) {
    std::vector<byte_buffer> out(static_cast<std::size_t>(ranks));
    std::uint64_t total = 0;
    for (auto it = entries_.begin(); it != entries_.end() && total < max_bytes;) {
      auto& buffer = out[static_cast<std::size_t>(owner_rank(stable_key_hash(it->first), ranks))];
      const std::size_t before = buffer.size();
      byte_writer writer(buffer);
      encode(writer, it->first);
      encode(writer, it->second);
      total += buffer.size() - before;
      it = entries_.erase(it);
    }
    return out;
  }

  using map_type = std::unordered_map<K, V, stable_hasher<K>>;

  /// Hands over the entries, leaving the table empty.
  [[nodiscard]] map_type take_entries() noexcept { return std::exchange(entries_, map_type{}); }

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, value] : entries_) f(key, value);
  }

 private:
  Combine combine_;
  std::unordered_map<K, V, stable_hasher<K>> entries_;
};

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

}  // namespace mpimr::detail
