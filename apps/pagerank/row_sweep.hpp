// One power iteration over a range of rows: their new ranks and, while those are in cache, the
// sums the next steps need. Shared by apps/pagerank (one call per chunk) and its serial baseline.
#pragma once

#include <cstdint>
#include <span>

#include "exact_sum.hpp"
#include "link_graph.hpp"

namespace pagerank_app {

/// A range of rows' share of the sums an iteration needs besides the new ranks.
struct iteration_sums {
  exact_sum change;    // sum of |new - old|
  exact_sum dangling;  // the new rank held by dangling vertices
  iteration_sums& operator+=(const iteration_sums& other) noexcept;
};

/// The rank every vertex gets whatever links to it: (1 - d) / n + d * dangling / n.
[[nodiscard]] double uniform_share(std::uint64_t vertices, double damping, double dangling);

/// The rank held by dangling vertices before the first iteration (1/n each).
[[nodiscard]] double initial_dangling(const graph_view& graph);

/// What each vertex passes on along each of its out-links, for the vertices first ..
/// first + part.size() - 1: part[i] = x[j] * out_weight[j] for j = first + i (x_j / outdegree_j,
/// 0 for a dangling vertex). sweep_rows reads these instead of the link matrix's values, so its
/// pass over the matrix streams 4 bytes per link instead of 12.
void weigh_ranks(const graph_view& graph, std::span<const double> x, std::uint64_t first,
                 std::span<double> part);

/// One iteration for rows begin .. begin + rows.size() - 1: writes their new ranks, d (L x)_i +
/// share, into `rows` and returns their sums; `weighted` is weigh_ranks of all of `x`. The bits
/// equal those of multiplying by the link matrix's values (1 / outdegree_j each), since every
/// product is the same. The same code serves the app (one call per chunk) and the serial baseline
/// (one call for all rows).
[[nodiscard]] iteration_sums sweep_rows(const graph_view& graph, std::span<const double> x,
                                        std::span<const double> weighted, double damping,
                                        double share, std::uint64_t begin, std::span<double> rows);

}  // namespace pagerank_app
