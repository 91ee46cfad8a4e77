// Bounds of the adaptive schedule's blocks (see adaptive_blocks.hpp).
#include "mpimr/detail/adaptive_blocks.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "mpimr/detail/chunk_plan.hpp"

namespace mpimr::detail {

std::vector<std::uint64_t> even_block_bounds(std::uint64_t chunk_count, int ranks) {
  std::vector<std::uint64_t> bounds(static_cast<std::size_t>(ranks) + 1);
  for (int r = 0; r <= ranks; ++r) {
    bounds[static_cast<std::size_t>(r)] = static_block_start(chunk_count, r, ranks);
  }
  return bounds;
}

std::vector<std::uint64_t> rebalanced_bounds(std::span<const std::uint64_t> bounds,
                                             std::span<const double> seconds) {
  std::vector<std::uint64_t> out(bounds.begin(), bounds.end());
  const std::size_t ranks = seconds.size();
  if (ranks < 2 || bounds.size() != ranks + 1) return out;
  const std::uint64_t count = bounds.back();
  // Chunks per second of each rank that ran chunks for a measurable time.
  std::vector<double> speed(ranks, 0);
  double known = 0;
  std::size_t measured = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    const auto chunks = static_cast<double>(bounds[r + 1] - bounds[r]);
    if (chunks > 0 && seconds[r] > 0 && std::isfinite(seconds[r])) {
      speed[r] = chunks / seconds[r];
      known += speed[r];
      ++measured;
    }
  }
  if (measured == 0) return out;
  const double fallback = known / static_cast<double>(measured);
  double total = 0;
  for (double& s : speed) {
    if (s == 0) s = fallback;
    total += s;
  }
  // Half way from each rank's current share toward its share by speed; the bounds are the rounded
  // running sums, so the blocks stay contiguous and cover every chunk once.
  const auto whole = static_cast<double>(count);
  const std::uint64_t least = count >= ranks ? 1 : 0;
  double before = 0;
  for (std::size_t r = 1; r < ranks; ++r) {
    const auto current = static_cast<double>(bounds[r] - bounds[r - 1]) / whole;
    before += (current + speed[r - 1] / total) / 2;
    auto bound = static_cast<std::uint64_t>(std::llround(before * whole));
    // Room for at least `least` chunks for this rank's predecessor and for every later rank.
    bound = std::max(bound, out[r - 1] + least);
    bound = std::min(bound, count - least * (ranks - r));
    out[r] = bound;
  }
  return out;
}

}  // namespace mpimr::detail
