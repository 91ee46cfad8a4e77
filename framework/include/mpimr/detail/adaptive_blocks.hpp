// The adaptive schedule's blocks: one contiguous block of chunk ids per rank, in rank order, whose
// bounds move from one call to the next toward equal time on every rank.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mpimr::detail {

/// Bounds b[0] = 0 <= b[1] <= ... <= b[P] = chunk_count: rank r takes ids [b[r], b[r+1]). These
/// are the static blocks (static_block_start), where every adaptive schedule starts.
[[nodiscard]] std::vector<std::uint64_t> even_block_bounds(std::uint64_t chunk_count, int ranks);

/// The bounds for the next call, from this call's `bounds` and each rank's `seconds` inside its
/// chunks. Each rank's speed is taken as its chunks per second; the blocks move half way toward
/// sizes in proportion to those speeds (the whole way would chase noise and the chunks' own
/// unevenness back and forth). Every rank keeps at least one chunk while there are as many chunks
/// as ranks, so that its speed stays known. A rank without chunks or time counts at the others'
/// mean speed. Depends on its arguments alone, so every rank computes the same bounds.
[[nodiscard]] std::vector<std::uint64_t> rebalanced_bounds(std::span<const std::uint64_t> bounds,
                                                           std::span<const double> seconds);

}  // namespace mpimr::detail
