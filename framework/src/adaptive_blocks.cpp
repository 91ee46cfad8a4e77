// Bounds of the adaptive schedule's blocks (see adaptive_blocks.hpp).
#include "mpimr/detail/adaptive_blocks.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

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

std::vector<std::uint64_t> rebalanced_bounds(std::span<const std::uint64_t> bounds,
                                             std::span<const double> seconds) {
  std::vector<std::uint64_t> out(bounds.begin(), bounds.end());
  const std::size_t ranks = seconds.size();
  if (ranks < 2 || bounds.size() != ranks + 1) return out;
  const std::uint64_t count = bounds.back();
  std::vector<double> speed = block_speeds(bounds, seconds);
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

namespace {

/// The median of the known (non-zero) values, the mean of two; 0 when none is known.
double typical(std::vector<double> values) {
  std::erase(values, 0.0);
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

adaptive_range::adaptive_range(std::uint64_t chunk_count, int ranks)
    : bounds_(even_block_bounds(chunk_count, ranks)) {}

void adaptive_range::record(std::span<const double> seconds) {
  if (seconds.size() + 1 != bounds_.size()) return;
  if (++calls_ == 1) return;
  constexpr std::size_t remembered_calls = 3;
  recent_speeds_.push_back(block_speeds(bounds_, seconds));
  if (recent_speeds_.size() > remembered_calls) recent_speeds_.erase(recent_speeds_.begin());
  // Each rank's typical time for the block it has now, which rebalanced_bounds turns back into
  // its speed; 0 (unknown) for a rank never measured.
  std::vector<double> typical_seconds(seconds.size(), 0);
  std::vector<double> speeds;
  for (std::size_t r = 0; r < seconds.size(); ++r) {
    speeds.clear();
    for (const auto& call : recent_speeds_) speeds.push_back(call[r]);
    const double speed = typical(speeds);
    if (speed > 0) typical_seconds[r] = static_cast<double>(bounds_[r + 1] - bounds_[r]) / speed;
  }
  bounds_ = rebalanced_bounds(bounds_, typical_seconds);
}

}  // namespace mpimr::detail
