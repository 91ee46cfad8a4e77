// PageRank by power iteration on mpimr: each iteration computes the new rank of every vertex, one
// row of the link matrix each, in chunks of rows spread over the ranks.
#pragma once

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <vector>

#include "link_graph.hpp"

namespace pagerank_app {

/// 2^19 vertices: 4 MiB of weighted ranks. Below it a copy per rank, which the rank refills with
/// one sequential pass, does as well or better than one per node (bench_pagerank_interleaved at 2
/// ranks, 2026-12-03, R-MAT scales 14, 17, 19: the same in phases of the machine where its cores
/// exchange data fast, 8-15% faster where they exchange it slowly); at scale 21 (1.2M vertices,
/// 10 MB) one per node left more of the last-level cache to the random reads: 19.7-22.6 against
/// 23.2-24.1 ms per iteration, and mixed in the slow phases.
inline constexpr std::uint64_t default_shared_weights_from = std::uint64_t{1} << 19U;

struct pagerank_settings {
  double damping = 0.85;
  double tolerance = 1e-9;  // converged once an iteration changes the ranks by less, in L1
  std::uint64_t max_iterations = 1000;
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_size = 0;  // rows per chunk; 0: default_chunk_size(vertices)
  // From this many vertices on, the ranks of a node share one vector of weighted ranks (what the
  // sweep reads at random) instead of holding one each; see run_pagerank.
  std::uint64_t shared_weights_from = default_shared_weights_from;
};

struct pagerank_result {
  std::vector<double> rank;  // by vertex number
  std::uint64_t iterations = 0;
  bool converged = false;
  double l1_change = 0;          // sum of |new - old| in the last iteration
  double loop_seconds = 0;       // the iterations alone, on this rank
  std::vector<double> seconds;   // each iteration's, on this rank
  std::uint64_t chunk_size = 0;  // rows per chunk, as used
  mpimr::schedule schedule = mpimr::schedule::automatic;  // as used (auto: static blocks)
};

/// Rows per chunk when none is given: at least 256, and about 1024 chunks on large graphs. It
/// depends on the vertex count alone, never on the rank count.
[[nodiscard]] std::uint64_t default_chunk_size(std::uint64_t vertices);

/// Starts from 1/n everywhere and iterates x' = d (L x + D/n) + (1 - d)/n, where L is the link
/// matrix and D the rank held by dangling vertices (spread evenly over all vertices), until the L1
/// change is below the tolerance or max_iterations have run. The same bits at every rank count,
/// schedule and chunk size.
[[nodiscard]] pagerank_result run_pagerank(mpimr::context& ctx, const graph_view& graph,
                                           const pagerank_settings& settings);

}  // namespace pagerank_app
