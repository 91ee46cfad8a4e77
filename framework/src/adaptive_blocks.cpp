// Bounds of the adaptive schedule's blocks (see adaptive_blocks.hpp).
#include "mpimr/detail/adaptive_blocks.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "mpimr/detail/chunk_plan.hpp"

namespace mpimr::detail {

namespace {

/// Chunks per second of each rank in one call; 0 for a rank without chunks or a usable time.
std::vector<double> block_speeds(std::span<const std::uint64_t> bounds,
                                 std::span<const double> seconds) {
  std::vector<double> speeds(seconds.size(), 0);
  for (std::size_t r = 0; r < seconds.size(); ++r) {
    const auto chunks = static_cast<double>(bounds[r + 1] - bounds[r]);
    if (chunks > 0 && seconds[r] > 0 && std::isfinite(seconds[r])) speeds[r] = chunks / seconds[r];
  }
  return speeds;
}

}  // namespace

std::vector<std::uint64_t> even_block_bounds(std::uint64_t chunk_count, int ranks) {
  std::vector<std::uint64_t> bounds(static_cast<std::size_t>(ranks) + 1);
  for (int r = 0; r <= ranks; ++r) {
    bounds[static_cast<std::size_t>(r)] = static_block_start(chunk_count, r, ranks);
  }
  return bounds;
}

namespace {

/// rebalanced_bounds from each rank's speed (chunks per second; 0: unknown) instead of its time.
std::vector<std::uint64_t> bounds_for_speeds(std::span<const std::uint64_t> bounds,
                                             std::vector<double> speed) {
  std::vector<std::uint64_t> out(bounds.begin(), bounds.end());
  const std::size_t ranks = speed.size();
  if (ranks < 2 || bounds.size() != ranks + 1) return out;
  const std::uint64_t count = bounds.back();
  double known = 0;
  std::size_t measured = 0;
  for (const double s : speed) {
    known += s;
    if (s > 0) ++measured;
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

/// The median of the known (non-zero) values, the mean of two; 0 when none is known.
double typical(std::vector<double> values) {
  std::erase(values, 0.0);
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

std::vector<std::uint64_t> rebalanced_bounds(std::span<const std::uint64_t> bounds,
                                             std::span<const double> seconds) {
  if (bounds.size() != seconds.size() + 1) return {bounds.begin(), bounds.end()};
  return bounds_for_speeds(bounds, block_speeds(bounds, seconds));
}

adaptive_range::adaptive_range(std::uint64_t chunk_count, int ranks)
    : bounds_(even_block_bounds(chunk_count, ranks)) {}

void adaptive_range::record(std::span<const double> seconds) {
  if (seconds.size() + 1 != bounds_.size()) return;
  if (++calls_ == 1) return;
  constexpr std::size_t remembered_calls = 3;
  recent_speeds_.push_back(block_speeds(bounds_, seconds));
  if (recent_speeds_.size() > remembered_calls) recent_speeds_.erase(recent_speeds_.begin());
  // Each rank's typical speed over the calls remembered; 0 (unknown) for a rank never measured.
  std::vector<double> typical_speeds(seconds.size());
  std::vector<double> speeds;
  for (std::size_t r = 0; r < seconds.size(); ++r) {
    speeds.clear();
    for (const auto& call : recent_speeds_) speeds.push_back(call[r]);
    typical_speeds[r] = typical(speeds);
  }
  bounds_ = bounds_for_speeds(bounds_, std::move(typical_speeds));
}

}  // namespace mpimr::detail
