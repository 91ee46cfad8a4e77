// Key-value entries with std::string keys and plain values, packed one after another in one byte
// array: [key length, LEB128][key bytes][value bytes]. A word and its count take the word's length
// plus 9 bytes, where std::pair<std::string, std::uint64_t> takes 40 (and a heap block for keys
// past 15 bytes): word count's table and result are mostly these entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// Values stored as raw bytes next to their key.
template <class V>
concept packable_value = std::is_trivially_copyable_v<V> && std::is_default_constructible_v<V>;

template <packable_value V>
class packed_entries {
 public:
  /// Where a value sits in the array: found by the table, read and written in place.
  using value_offset = std::size_t;

  /// Iterates the entries in insertion order, yielding (key, value) pairs by value: the key is a
  /// view into the array, valid while the entries live and are not appended to.
  class iterator {
   public:
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;  // yields values, not references
    using value_type = std::pair<std::string_view, V>;
    using reference = value_type;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    iterator(const packed_entries* entries, std::size_t offset) : entries_(entries), at_(offset) {}
    [[nodiscard]] value_type operator*() const {
      const auto [key, value_at] = entries_->record_at(at_);
      return {key, entries_->value(value_at)};
    }
    iterator& operator++() {
      at_ = entries_->record_at(at_).second + sizeof(V);
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++*this;
      return before;
    }
    [[nodiscard]] bool operator==(const iterator& other) const noexcept { return at_ == other.at_; }
    /// The entry's position, for the table's index.
    [[nodiscard]] std::size_t offset() const noexcept { return at_; }

   private:
    const packed_entries* entries_ = nullptr;
    std::size_t at_ = 0;
  };
  using const_iterator = iterator;
  using value_type = typename iterator::value_type;

  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] iterator begin() const noexcept { return {this, 0}; }
  [[nodiscard]] iterator end() const noexcept { return {this, bytes_.size()}; }
  /// Bytes of storage in use (the array may have more capacity).
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_.size(); }

  /// Appends an entry; returns its offset.
  std::size_t append(std::string_view key, const V& value) {
    const std::size_t at = bytes_.size();
    append_record(bytes_, key, value);
    ++count_;
    return at;
  }

  /// The key of the entry at `offset`, and where its value is.
  [[nodiscard]] std::pair<std::string_view, value_offset> record_at(
      std::size_t offset) const noexcept {
    const char* p = bytes_.data() + offset;
    std::size_t length = static_cast<unsigned char>(*p);
    std::size_t used = 1;
    if (length >= 0x80U) {
      length &= 0x7FU;
      for (unsigned shift = 7;; shift += 7) {
        const auto byte = static_cast<unsigned char>(p[used++]);
        length |= static_cast<std::size_t>(byte & 0x7FU) << shift;
        if (byte < 0x80U) break;
      }
    }
    return {std::string_view(p + used, length), offset + used + length};
  }
  [[nodiscard]] V value(value_offset at) const noexcept {
    V v;
    std::memcpy(&v, bytes_.data() + at, sizeof(V));
    return v;
  }
  void set_value(value_offset at, const V& v) noexcept {
    std::memcpy(bytes_.data() + at, &v, sizeof(V));
  }
  /// The first byte of an entry, for prefetching.
  [[nodiscard]] const char* address(std::size_t offset) const noexcept {
    return bytes_.data() + offset;
  }

  /// Appends one record in the packed format to `out`: this array, or a batch for another rank.
  template <class Byte>
  static void append_record(std::vector<Byte>& out, std::string_view key, const V& value) {
    static_assert(sizeof(Byte) == 1);
    char length[max_length_bytes];
    const std::size_t length_bytes = write_length(length, key.size());
    const std::size_t at = out.size();
    out.resize(at + length_bytes + key.size() + sizeof(V));
    auto* p = reinterpret_cast<char*>(out.data() + at);
    std::memcpy(p, length, length_bytes);
    if (!key.empty()) std::memcpy(p + length_bytes, key.data(), key.size());
    std::memcpy(p + length_bytes + key.size(), &value, sizeof(V));
  }

  /// Calls `f(std::string_view key, V value)` for every record of a batch of append_record's,
  /// keys viewed in place. Throws mpimr::error on a truncated or corrupt batch.
  template <class F>
  static void for_each_record(std::span<const std::byte> batch, F&& f) {
    const auto* p = reinterpret_cast<const unsigned char*>(batch.data());
    std::size_t left = batch.size();
    while (left != 0) {
      std::uint64_t length = 0;
      std::size_t used = 0;
      for (unsigned shift = 0;; shift += 7) {
        if (used == left || used == max_length_bytes) throw error("mpimr: corrupt record length");
        const unsigned char byte = p[used++];
        length |= static_cast<std::uint64_t>(byte & 0x7FU) << shift;
        if (byte < 0x80U) break;
      }
      if (left - used < sizeof(V) || length > left - used - sizeof(V)) {
        throw error("mpimr: truncated message while decoding a record");
      }
      V value;
      std::memcpy(&value, p + used + length, sizeof(V));
      f(std::string_view(reinterpret_cast<const char*>(p + used), length), value);
      const std::size_t record = used + length + sizeof(V);
      p += record;
      left -= record;
    }
  }

  /// Empties, keeping the storage.
  void clear() noexcept {
    bytes_.clear();
    count_ = 0;
  }
  /// Empties and frees the storage.
  void release() noexcept {
    bytes_ = std::vector<char>{};
    count_ = 0;
  }

 private:
  static constexpr std::size_t max_length_bytes = 10;

  static std::size_t write_length(char* out, std::size_t length) noexcept {
    std::size_t n = 0;
    while (length >= 0x80U) {
      out[n++] = static_cast<char>((length & 0x7FU) | 0x80U);
      length >>= 7U;
    }
    out[n++] = static_cast<char>(length);
    return n;
  }

  std::vector<char> bytes_;
  std::size_t count_ = 0;
};

}  // namespace mpimr::detail
