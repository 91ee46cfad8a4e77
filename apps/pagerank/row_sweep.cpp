// One power iteration over a range of rows (see row_sweep.hpp).
#include "row_sweep.hpp"

#include <algorithm>
#include <cmath>

namespace pagerank_app {

iteration_sums& iteration_sums::operator+=(const iteration_sums& other) noexcept {
  change += other.change;
  dangling += other.dangling;
  return *this;
}

double uniform_share(std::uint64_t vertices, double damping, double dangling) {
  const auto n = static_cast<double>(vertices);
  return (1.0 - damping) / n + damping * dangling / n;
}

double initial_dangling(const graph_view& graph) {
  exact_sum sum;
  const double start = 1.0 / static_cast<double>(graph.ids.size());
  for (std::size_t j = 0; j < graph.dangling.size(); ++j) sum.add(start);
  return sum.value();
}

iteration_sums sweep_rows(const graph_view& graph, std::span<const double> x, double damping,
                          double share, std::uint64_t begin, std::span<double> rows) {
  iteration_sums sums;
  const std::uint64_t end = begin + rows.size();
  for (std::uint64_t i = begin; i < end; ++i) {
    double sum = 0;
    for (Eigen::Map<const link_matrix>::InnerIterator it(graph.links, static_cast<Eigen::Index>(i));
         it; ++it) {
      sum += it.value() * x[static_cast<std::size_t>(it.index())];
    }
    const double rank = damping * sum + share;
    rows[i - begin] = rank;
    sums.change.add(std::abs(rank - x[i]));
  }
  // The dangling vertices among these rows, read back while the rows are still in cache.
  auto j = std::lower_bound(graph.dangling.begin(), graph.dangling.end(), begin);
  for (; j != graph.dangling.end() && static_cast<std::uint64_t>(*j) < end; ++j) {
    sums.dangling.add(rows[static_cast<std::uint64_t>(*j) - begin]);
  }
  return sums;
}

}  // namespace pagerank_app
