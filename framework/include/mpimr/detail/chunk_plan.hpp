// Cuts an index range into chunks. Ids and bounds depend only on the range and the chunk size.
#pragma once

#include <cstdint>

#include "mpimr/index_range.hpp"

namespace mpimr::detail {

/// Automatic chunk size: aims at about 16384 chunks, so any rank count up to thousands gets enough
/// chunks to balance, while per-chunk costs (~0.1 us on one node) stay far below the work.
inline constexpr std::uint64_t automatic_chunk_target = 16384;

struct chunk_plan {
  index_range range{};
  std::uint64_t chunk_size = 1;
  std::uint64_t chunk_count = 0;

  [[nodiscard]] chunk at(std::uint64_t id) const noexcept {
    const std::uint64_t offset =
        id * chunk_size;  // id < chunk_count, so offset < size: no overflow
    const std::uint64_t length =
        range.size() - offset < chunk_size ? range.size() - offset : chunk_size;
    return chunk{id, range.begin + offset, range.begin + offset + length};
  }
  /// A hash of what every rank must agree on, compared across ranks before results are combined.
  [[nodiscard]] std::uint64_t fingerprint() const noexcept;
};

/// The first chunk id of rank `rank` of `ranks` under static blocks: rank r takes ids
/// [static_block_start(C, r, P), static_block_start(C, r + 1, P)), contiguous, sizes differing by
/// at most one. floor(r * C / P) without overflow: r * (C % P) < P^2 fits in 64 bits.
[[nodiscard]] constexpr std::uint64_t static_block_start(std::uint64_t chunk_count, int rank,
                                                         int ranks) noexcept {
  const auto r = static_cast<std::uint64_t>(rank);
  const auto p = static_cast<std::uint64_t>(ranks);
  return r * (chunk_count / p) + r * (chunk_count % p) / p;
}

/// Validates and plans; throws mpimr::invalid_argument naming the bad value.
[[nodiscard]] chunk_plan make_chunk_plan(index_range range, std::uint64_t requested_chunk_size);

/// Mixes `value` into `seed` (splitmix64 finalizer), for fingerprints compared across ranks.
[[nodiscard]] std::uint64_t hash_combine(std::uint64_t seed, std::uint64_t value) noexcept;

}  // namespace mpimr::detail
