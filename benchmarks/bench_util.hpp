// Timing helpers shared by the benchmarks: every rank starts together, the slowest rank's time
// counts, and repeated measurements are summarised by their median (robust on a noisy machine).
#pragma once

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
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

/// argv[index] as a positive whole count ("1000", "1e7"), `fallback` when absent; nullopt after a
/// one-line message on stderr when it is not one. Doubles are exact for any count a benchmark uses.
inline std::optional<std::uint64_t> count_arg(int argc, char** argv, int index,
                                              std::uint64_t fallback) {
  if (argc <= index) return fallback;
  char* end = nullptr;
  const double value = std::strtod(argv[index], &end);
  if (end == argv[index] || *end != '\0' || !(value >= 1) || value > 1e18 ||
      std::floor(value) != value) {
    std::fprintf(stderr, "%s: argument %d '%s' is not a positive whole number\n", argv[0], index,
                 argv[index]);
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(value);
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 != 0 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace bench
