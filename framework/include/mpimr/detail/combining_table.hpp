// The map side of a key-value shuffle: values emitted for the same key are combined in place before
// anything travels (a combiner), then drained as encoded records grouped by the rank that owns each
// key, a bounded number of bytes at a time. The table keeps an estimate of its own memory so that
// the shuffle can send it on before it outgrows its budget.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/key_hash.hpp"
#include "mpimr/detail/type_traits.hpp"

namespace mpimr::detail {

template <class K>
struct stable_hasher {
  std::size_t operator()(const K& key) const {
    return static_cast<std::size_t>(stable_key_hash(key));
  }
};

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

template <class K, class V, class Combine>
class combining_table {
 public:
  using map_type = std::unordered_map<K, V, stable_hasher<K>>;

  explicit combining_table(Combine combine) : combine_(std::move(combine)) {}

  void emit(K key, V value) {
    auto [slot, inserted] = entries_.try_emplace(std::move(key), std::move(value));
    if (inserted) {
      bytes_ += entry_bytes(slot->first, slot->second);
      return;
    }
    const std::size_t before = heap_bytes(slot->second);
    slot->second = combine_(std::move(slot->second), std::move(value));
    bytes_ = bytes_ - before + heap_bytes(slot->second);
  }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  /// Estimated memory of the entries: nodes, bucket slots, heap parts of keys and values.
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

  /// Removes entries and returns them encoded, buffer d holding the records that `owner_of(key)`
  /// says rank d owns, except that entries owned by `self` go to `keep(K&&, V&&)` unencoded.
  /// Stops once the buffers hold at least `max_bytes` in all (one record may pass the limit, so
  /// that any record, however large, makes progress) or the table is empty.
  template <class OwnerOf, class Keep>
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks, std::uint64_t max_bytes,
                                                        OwnerOf&& owner_of, int self, Keep&& keep) {
    std::vector<byte_buffer> out(static_cast<std::size_t>(ranks));
    std::uint64_t total = 0;
    for (auto it = entries_.begin(); it != entries_.end() && total < max_bytes;) {
      const int owner = owner_of(it->first);
      bytes_ -= entry_bytes(it->first, it->second);
      if (owner == self) {
        auto node = entries_.extract(it++);
        keep(std::move(node.key()), std::move(node.mapped()));
        continue;
      }
      auto& buffer = out[static_cast<std::size_t>(owner)];
      const std::size_t before = buffer.size();
      byte_writer writer(buffer);
      encode(writer, it->first);
      encode(writer, it->second);
      total += buffer.size() - before;
      it = entries_.erase(it);
    }
    if (entries_.empty()) bytes_ = 0;  // estimates of combined values may drift; start afresh
    return out;
  }

  /// The same with owners by stable hash and nothing kept.
  [[nodiscard]] std::vector<byte_buffer> drain_by_owner(int ranks, std::uint64_t max_bytes) {
    return drain_by_owner(
        ranks, max_bytes, [ranks](const K& key) { return owner_rank(stable_key_hash(key), ranks); },
        -1, [](K&&, V&&) {});
  }

  /// Hands over the entries, leaving the table empty.
  [[nodiscard]] map_type take_entries() noexcept {
    bytes_ = 0;
    return std::exchange(entries_, map_type{});
  }

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, value] : entries_) f(key, value);
  }

 private:
  // A node of libstdc++'s unordered_map: the pair, the next pointer, the cached hash; plus one
  // bucket pointer per entry at load factor 1 and the allocator's 16-byte header.
  static constexpr std::size_t node_overhead = 2 * sizeof(void*) + sizeof(std::size_t) + 16;

  static std::size_t entry_bytes(const K& key, const V& value) noexcept {
    return sizeof(typename map_type::value_type) + node_overhead + heap_bytes(key) +
           heap_bytes(value);
  }

  Combine combine_;
  map_type entries_;
  std::uint64_t bytes_ = 0;
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
