// Serial and parallel blocks of iterations taking turns within one launch, for the in-turns
// efficiency benchmarks (bench_pagerank_interleaved, bench_kmeans_interleaved). On this project's
// machine (a 2-vCPU VM) the speed of a core drifts by up to 1.7x over seconds, and not alike on
// both cores, so separate launches seconds apart compare different machines as often as different
// programs; blocks a few milliseconds long, in turns, see the same machine.
#pragma once

#include <fmt/core.h>
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <mpimr/errors.hpp>
#include <mpimr/options.hpp>
#include <optional>
#include <vector>

#include "bench_util.hpp"

namespace bench {

/// argv[index] as a schedule name (as the apps' --schedule), `fallback` when absent; nullopt after
/// a one-line message on stderr (printed where `rank` is 0) when it names none.
inline std::optional<mpimr::schedule> schedule_arg(int argc, char** argv, int index,
                                                   mpimr::schedule fallback, int rank) {
  if (argc <= index) return fallback;
  try {
    return mpimr::parse_schedule(argv[index]);
  } catch (const mpimr::invalid_argument& e) {
    if (rank == 0) fmt::print(stderr, "{}: {}\n", argv[0], e.what());
    return std::nullopt;
  }
}

/// This rank's times per iteration, in seconds.
struct turn_times {
  std::vector<double> alone;     // the serial loop on this rank's core, the other ranks waiting
  std::vector<double> paired;    // the serial loop on every rank at once
  std::vector<double> parallel;  // the parallel loop, every rank taking part
};

/// `rounds` rounds of: `serial_block` on rank 0 alone, then on rank 1 alone, ... (so that each
/// core's own serial speed is known); `serial_block` on every rank at once; `parallel_block` on
/// every rank. Each block appends its iterations' times to the vector it is given. Collective.
template <class SerialBlock, class ParallelBlock>
turn_times take_turns(MPI_Comm comm, std::uint64_t rounds, SerialBlock&& serial_block,
                      ParallelBlock&& parallel_block) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  turn_times t;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    for (int core = 0; core < size; ++core) {
      MPI_Barrier(comm);
      if (rank == core) serial_block(t.alone);
    }
    MPI_Barrier(comm);
    serial_block(t.paired);
    MPI_Barrier(comm);
    parallel_block(t.parallel);
  }
  return t;
}

/// Rank 0 prints the medians: serial_coreN_seconds and pair_coreN_seconds per rank,
/// parallel_seconds, ideal_seconds, efficiency and vs_pair, where
///   efficiency = ideal / parallel, ideal = 1 / (1 / serial_core0 + ... + 1 / serial_coreP-1),
/// the time the ranks' cores would take together if the work split perfectly by their measured
/// serial speeds (serial / (P x parallel) when the cores are equally fast); vs_pair is the same
/// with the paired times, against what the cores deliver while all are busy. Collective.
inline void print_turns(MPI_Comm comm, const turn_times& t) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const double mine[2] = {median(t.alone), median(t.paired)};
  std::vector<double> all(2 * static_cast<std::size_t>(size));
  MPI_Gather(mine, 2, MPI_DOUBLE, all.data(), 2, MPI_DOUBLE, 0, comm);
  if (rank != 0) return;
  const double parallel = median(t.parallel);
  double speed = 0;         // iterations per second of all cores together, each alone
  double paired_speed = 0;  // the same, all cores busy at once
  for (int core = 0; core < size; ++core) {
    const double alone = all[2 * static_cast<std::size_t>(core)];
    const double paired = all[2 * static_cast<std::size_t>(core) + 1];
    fmt::print("serial_core{}_seconds {:.6e}\n", core, alone);
    fmt::print("pair_core{}_seconds {:.6e}\n", core, paired);
    speed += 1 / alone;
    paired_speed += 1 / paired;
  }
  fmt::print("parallel_seconds {:.6e}\n", parallel);
  fmt::print("ideal_seconds {:.6e}\n", 1 / speed);
  fmt::print("efficiency {:.4f}\n", 1 / speed / parallel);
  fmt::print("vs_pair {:.4f}\n", 1 / paired_speed / parallel);
}

}  // namespace bench
