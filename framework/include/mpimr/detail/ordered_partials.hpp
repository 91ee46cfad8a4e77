// Partial results of a deterministic reduction, joined along a fixed binary tree over chunk ids.
//
// Node (level l, index i) stands for chunks [i*2^l, (i+1)*2^l) and is join(left child, right
// child), or just its left child where the right one would start past the last chunk. The tree
// depends only on the chunk count, so the root is the same bits whichever rank held which chunk and
// in whatever order they arrived; siblings are joined as soon as both are present, which keeps
// memory at O(log chunks) per rank for contiguous (static) blocks.
#pragma once

#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "mpimr/detail/codec.hpp"

namespace mpimr::detail {

template <class T, class Joiner>
class ordered_partials {
 public:
  ordered_partials(std::uint64_t chunk_count, Joiner joiner)
      : chunk_count_(chunk_count),
        root_level_(chunk_count <= 1 ? 0 : std::bit_width(chunk_count - 1)),
        joiner_(std::move(joiner)) {}

  void insert_chunk(std::uint64_t chunk_id, T value) { insert(0, chunk_id, std::move(value)); }

  void insert(unsigned level, std::uint64_t index, T value) {
    for (;;) {
      if (level == root_level_) {
        nodes_.insert_or_assign(key{level, index}, std::move(value));
        return;
      }
      const std::uint64_t sibling = index ^ 1U;
      if (exists(level, sibling)) {
        auto found = nodes_.find(key{level, sibling});
        if (found == nodes_.end()) {
          nodes_.emplace(key{level, index}, std::move(value));
          return;
        }
        T other = std::move(found->second);
        nodes_.erase(found);
        value = (index & 1U) == 0 ? joiner_(std::move(value), std::move(other))
                                  : joiner_(std::move(other), std::move(value));
      }
      ++level;
      index >>= 1U;
    }
  }

  /// Moves every node of `other` into this set (the join of two ranks' sets).
  void merge(ordered_partials&& other) {
    for (auto& [k, v] : other.nodes_) insert(k.first, k.second, std::move(v));
    other.nodes_.clear();
  }

  /// The root once every chunk is in; empty for zero chunks.
  [[nodiscard]] std::optional<T> take_root() {
    auto found = nodes_.find(key{root_level_, 0});
    if (found == nodes_.end()) return std::nullopt;
    return std::move(found->second);
  }

  void encode(byte_writer& w) const {
    w.pod(static_cast<std::uint64_t>(nodes_.size()));
    for (const auto& [k, v] : nodes_) {
      w.pod(k.first);
      w.pod(k.second);
      mpimr::detail::encode(w, v);
    }
  }
  void decode(byte_reader& r) {
    const auto count = r.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto level = r.pod<unsigned>();
      const auto index = r.pod<std::uint64_t>();
      T value{};
      mpimr::detail::decode(r, value);
      nodes_.insert_or_assign(key{level, index}, std::move(value));
    }
  }

 private:
  using key = std::pair<unsigned, std::uint64_t>;

  [[nodiscard]] bool exists(unsigned level, std::uint64_t index) const noexcept {
    if (level == 0) return index < chunk_count_;
    if (level >= 64) return index == 0;
    if (index > (UINT64_MAX >> level)) return false;  // index * 2^level would overflow
    return (index << level) < chunk_count_;
  }

  std::uint64_t chunk_count_;
  unsigned root_level_;
  Joiner joiner_;
  std::map<key, T> nodes_;
};

}  // namespace mpimr::detail
