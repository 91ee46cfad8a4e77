// Baseline for the pi benchmark: the pi app's work written by hand with raw MPI (MPI_Init, a static
// split of the chunks, one MPI_Allreduce). Same kernel, RNG and chunking as apps/pi, so the
// estimate must come out bit for bit the same; run_benchmarks.sh checks that before comparing
// times.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_util.hpp"
#include "kernel.hpp"  // apps/pi/kernel.hpp

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const auto n_arg = bench::count_arg(argc, argv, 1, 0);
  const auto seed_arg = bench::count_arg(argc, argv, 2, 0);
  if (argc != 3 || !n_arg || !seed_arg) {
    if (rank == 0 && argc != 3) std::fprintf(stderr, "usage: bench_pi_raw_mpi SAMPLES SEED\n");
    MPI_Finalize();
    return 2;
  }
  const std::uint64_t n = *n_arg;
  const std::uint64_t seed = *seed_arg;

  // mpimr's automatic chunk size (about 16384 chunks), so chunk ids and random streams match the
  // app.
  const std::uint64_t target = 16384;
  const std::uint64_t chunk_size = n / target + (n % target != 0 ? 1 : 0) + (n == 0 ? 1 : 0);
  const std::uint64_t chunks = n / chunk_size + (n % chunk_size != 0 ? 1 : 0);
  // Rank r takes chunk ids [r*C/P, (r+1)*C/P), as mpimr's static schedule does.
  const auto r = static_cast<std::uint64_t>(rank);
  const auto p = static_cast<std::uint64_t>(ranks);
  const std::uint64_t first = r * (chunks / p) + r * (chunks % p) / p;
  const std::uint64_t last = (r + 1) * (chunks / p) + (r + 1) * (chunks % p) / p;

  MPI_Barrier(MPI_COMM_WORLD);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t mine = 0;
  for (std::uint64_t id = first; id < last; ++id) {
    const std::uint64_t begin = id * chunk_size;
    const std::uint64_t end = begin + chunk_size < n ? begin + chunk_size : n;
    mine += pi_app::count_hits(seed, mpimr::chunk{id, begin, end});
  }
  std::uint64_t hits = 0;
  MPI_Allreduce(&mine, &hits, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

  if (rank == 0) {
    const double estimate = 4.0 * static_cast<double>(hits) / static_cast<double>(n);
    std::printf("estimate      %.17g\n", estimate);
    std::printf("hits          %llu\n", static_cast<unsigned long long>(hits));
    std::printf("ranks         %d\n", ranks);
    std::printf("wall_seconds  %.6f\n", elapsed.count());
    std::printf("samples_per_s %.4e\n", static_cast<double>(n) / elapsed.count());
  }
  MPI_Finalize();
  return 0;
}
