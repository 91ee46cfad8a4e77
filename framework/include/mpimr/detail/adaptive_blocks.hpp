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

/// What the adaptive schedule keeps between calls over one range and chunk size: the bounds for
/// the next call, and the ranks' speeds that moved them there. A call's time is a noisy measure of
/// a rank's speed: the first call over a range also pays for page faults, first touches and cold
/// caches (rank 1 of a 2-rank PageRank on a node-shared R-MAT graph of 2^21 ids took 0.24 s in its
/// first iteration against 0.07 s on rank 0, 0.026 s each later), and a single call can be slowed
/// by whatever else the machine does (one iteration at 33 ms among ones at 26 ms moved 3% of the
/// chunks, which took six calls to come back). So the first call moves nothing, and each rank's
/// speed is the median of its last three calls' (the mean of two after the second call).
class adaptive_range {
 public:
  /// Starts at the static blocks (even_block_bounds).
  adaptive_range(std::uint64_t chunk_count, int ranks);

  [[nodiscard]] const std::vector<std::uint64_t>& bounds() const noexcept { return bounds_; }

  /// After a call over bounds() in which rank r spent seconds[r] inside its block: the bounds for
  /// the next call (rebalanced_bounds with each rank's typical speed in place of this call's). A
  /// `seconds` of another size than the ranks changes nothing.
  void record(std::span<const double> seconds);

 private:
  std::vector<std::uint64_t> bounds_;
  std::uint64_t calls_ = 0;
  std::vector<std::vector<double>> recent_speeds_;  // chunks per second by rank, newest last
};

}  // namespace mpimr::detail
