// Timing helpers shared by the benchmarks: every rank starts together, the slowest rank's time
// counts, and repeated measurements are summarised by their median (robust on a noisy machine).
#pragma once

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace bench {

/// Seconds `fn` takes on the slowest rank, all ranks starting after a barrier. Collective.
template <class Fn>
double timed(MPI_Comm comm, Fn&& fn) {
  MPI_Barrier(comm);
  const auto start = std::chrono::steady_clock::now();
  fn();
  const std::chrono::duration<double> mine = std::chrono::steady_clock::now() - start;
  double slowest = 0;
  double local = mine.count();
  MPI_Allreduce(&local, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
  return slowest;
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 != 0 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace bench
