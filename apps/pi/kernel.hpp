// The Monte Carlo pi kernel, shared by the pi app and benchmarks/bench_pi_raw_mpi so that the
// benchmark's raw-MPI baseline does exactly the same work as the app.
#pragma once

#include <cstdint>
#include <mpimr/chunk_rng.hpp>
#include <mpimr/index_range.hpp>

namespace pi_app {

/// Samples in `c` that land inside the quarter circle. The stream is keyed by (seed, chunk id), so
/// the count of a chunk does not depend on which rank ran it.
inline std::uint64_t count_hits(std::uint64_t seed, const mpimr::chunk& c) noexcept {
  mpimr::chunk_rng rng(seed, c);
  std::uint64_t hits = 0;
  for (std::uint64_t i = c.begin; i < c.end; ++i) {
    const double x = rng.uniform();
    const double y = rng.uniform();
    hits += x * x + y * y < 1.0 ? 1U : 0U;
  }
  return hits;
}

}  // namespace pi_app
