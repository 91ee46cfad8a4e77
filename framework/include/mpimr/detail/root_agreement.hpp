// Checking a root rank that every rank passes to a collective: in range, and the same everywhere.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>

#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// Throws mpimr::invalid_argument on every rank unless every rank passed the same `root` and it is
/// a rank of `comm`. One allreduce, so that a bad root on one rank cannot leave the others waiting.
inline void agree_on_root(MPI_Comm comm, int root, const char* operation) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  // The largest root and the largest negated root give the range of roots over all ranks.
  std::int64_t bounds[2] = {root, -static_cast<std::int64_t>(root)};
  MPI_Allreduce(MPI_IN_PLACE, bounds, 2, MPI_INT64_T, MPI_MAX, comm);
  const std::int64_t highest = bounds[0];
  const std::int64_t lowest = -bounds[1];
  if (lowest < 0 || highest >= size) {
    throw invalid_argument(std::string(operation) + ": root " +
                           std::to_string(lowest < 0 ? lowest : highest) + " is not a rank of " +
                           std::to_string(size));
  }
  if (lowest != highest) {
    throw invalid_argument(std::string(operation) + ": ranks passed different roots (" +
                           std::to_string(lowest) + " and " + std::to_string(highest) + ")");
  }
}

}  // namespace mpimr::detail
