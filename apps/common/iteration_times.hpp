// The two timing lines of apps/kmeans and apps/pagerank, printed by their serial baselines too
// (benchmarks/), so that benchmarks/run_numeric_benchmark.sh compares one statistic on both sides.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <vector>

namespace app {

/// Prints `iteration_seconds`, the median of the iterations' times (the upper one of an even
/// count), and `first_iteration_seconds`; both 0 when there were none. The median, because the
/// first iterations read the data for the first time (up to 15 later ones' worth in the PageRank
/// baseline on the benchmark machine), the adaptive schedule learns the ranks' speeds in them, and
/// any one may be slowed by other load.
inline void print_iteration_times(std::vector<double> seconds) {
  const double first = seconds.empty() ? 0.0 : seconds.front();
  std::sort(seconds.begin(), seconds.end());
  fmt::print("iteration_seconds {:.6e}\n", seconds.empty() ? 0.0 : seconds[seconds.size() / 2]);
  fmt::print("first_iteration_seconds {:.6e}\n", first);
}

}  // namespace app
