// The graph PageRank iterates on: vertices numbered 0..n-1 in the order of their original ids, and
// the transposed, column-normalised link matrix as an Eigen row-major sparse matrix, so that one
// row holds everything one vertex's new rank needs.
#pragma once

#include <Eigen/SparseCore>
#include <cstdint>
#include <span>
#include <vector>

#include "edges.hpp"

namespace pagerank_app {

/// links(i, j) = 1 / outdegree(j) for every edge j -> i; in each row the columns ascend.
using link_matrix = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int32_t>;

struct link_graph {
  std::vector<std::uint64_t> ids;      // vertex v's original id, ascending
  link_matrix links;                   // n x n
  std::vector<std::int32_t> dangling;  // the vertices without out-links, ascending
  std::vector<double> out_weight;      // 1 / outdegree(j) per vertex j, 0 for a dangling one
  std::uint64_t input_edges = 0;       // the edges as given, duplicates included
};

/// A link graph held elsewhere (a link_graph, or node-shared arrays): what the iterations read.
struct graph_view {
  std::span<const std::uint64_t> ids;
  Eigen::Map<const link_matrix> links;
  std::span<const std::int32_t> dangling;
  std::span<const double> out_weight;
};

/// `graph` seen through a graph_view; valid while `graph` lives.
[[nodiscard]] graph_view view_of(const link_graph& graph);

/// The vertices are the ids that appear in an edge. A duplicate edge counts once (as in SNAP's
/// directed graphs and networkx's DiGraph); a self-loop is an out-link like any other. Throws
/// input_error (without a file name) when there are more than 2^31 - 1 vertices or distinct edges,
/// the most Eigen's 32-bit indices can number.
[[nodiscard]] link_graph build_link_graph(std::vector<edge> edges);

}  // namespace pagerank_app
