// R-MAT graphs (Chakrabarti, Zhan, Faloutsos 2004) with the Graph 500 parameters, generated from
// counter-based random streams: the same seed gives the same edges on every rank and machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edges.hpp"

namespace pagerank_app {

/// The quadrant probabilities a, b, c (d = 1 - a - b - c), as in the Graph 500 generator.
inline constexpr double rmat_a = 0.57;
inline constexpr double rmat_b = 0.19;
inline constexpr double rmat_c = 0.19;

/// `edge_factor * 2^scale` edges among the ids 0 .. 2^scale - 1, duplicates and self-loops kept.
/// Each edge picks one quadrant of the adjacency matrix per level (one 32-bit draw compared with
/// integer thresholds: no floating point, no std:: distribution), and the ids are then relabelled
/// by a bijection of [0, 2^scale) drawn from the seed, as Graph 500 permutes its vertices, so that
/// the heavy vertices do not all sit at the low ids. Edge e depends only on (seed, e).
/// Requires 1 <= scale <= 32.
[[nodiscard]] std::vector<edge> generate_rmat(unsigned scale, std::uint64_t edge_factor,
                                              std::uint64_t seed);

/// Comment lines describing the graph, for an edge-list file.
[[nodiscard]] std::vector<std::string> rmat_comment(unsigned scale, std::uint64_t edge_factor,
                                                    std::uint64_t seed);

}  // namespace pagerank_app
