// Fixed cost of one mpimr operation, the price an iterative code pays every iteration: a
// fill_and_reduce into a node-shared array whose body does almost nothing, as a power iteration or
// a Jacobi step calls it, under the static and adaptive schedules. Baseline, in the same launch:
// what a hand-written MPI iteration on one node needs at the least, one MPI_Allreduce of the same
// sums and one MPI_Barrier (so that every rank sees the others' writes to the shared array).
// Usage: bench_call_overhead [ELEMENTS=12495] [CHUNK=256] [CALLS=2000] [REPS=5]
// Prints INFO lines: microseconds per call (medians of REPS) and mpimr / baseline.
#include <fmt/core.h>

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <span>
#include <vector>

#include "bench_util.hpp"

namespace {

/// Two counts joined by a non-built-in join, as PageRank's sums are (a user operation in MPI).
struct counts {
  std::uint64_t elements = 0;
  std::uint64_t chunks = 0;
};

counts join(counts left, const counts& right) {
  left.elements += right.elements;
  left.chunks += right.chunks;
  return left;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  ctx.set_reporting(false);  // as the apps run without --report
  const auto elements = bench::count_arg(argc, argv, 1, 12'495);
  const auto chunk_size = bench::count_arg(argc, argv, 2, 256);
  const auto calls = bench::count_arg(argc, argv, 3, 2000);
  const auto reps = bench::count_arg(argc, argv, 4, 5);
  if (!elements || !chunk_size || !calls || !reps) return 2;
  const MPI_Comm comm = ctx.communicator();
  const std::uint64_t chunk_count = (*elements + *chunk_size - 1) / *chunk_size;

  mpimr::shared_array<double> out(ctx, *elements, [](std::span<double>, std::uint64_t) {});
  const std::vector<mpimr::schedule> schedules{mpimr::schedule::static_blocks,
                                               mpimr::schedule::adaptive};
  std::vector<std::vector<double>> seconds(schedules.size());
  std::vector<double> baseline_seconds;
  bool correct = true;
  for (std::uint64_t rep = 0; rep < *reps; ++rep) {  // interleaved: drifting load hits all alike
    for (std::size_t s = 0; s < schedules.size(); ++s) {
      const mpimr::options options{.schedule = schedules[s], .chunk_size = *chunk_size};
      seconds[s].push_back(bench::timed(comm, [&] {
        for (std::uint64_t call = 0; call < *calls; ++call) {
          const counts total = mpimr::fill_and_reduce(
              ctx, mpimr::index_range{0, *elements}, out, counts{},
              [](const mpimr::chunk& c, std::span<double> slice) {
                slice.front() = static_cast<double>(c.id);
                return counts{slice.size(), 1};
              },
              join, options);
          correct = correct && total.elements == *elements && total.chunks == chunk_count;
        }
      }));
    }
    baseline_seconds.push_back(bench::timed(comm, [&] {
      for (std::uint64_t call = 0; call < *calls; ++call) {
        std::uint64_t total[2] = {1, call};
        MPI_Allreduce(MPI_IN_PLACE, total, 2, MPI_UINT64_T, MPI_SUM, comm);
        MPI_Barrier(comm);
        correct = correct && total[0] == static_cast<std::uint64_t>(ctx.size());
      }
    }));
  }
  int all_correct = correct ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_correct, 1, MPI_INT, MPI_LAND, comm);
  if (all_correct == 0) {
    if (ctx.rank() == 0) fmt::print(stderr, "bench_call_overhead: wrong sums\n");
    return 1;
  }
  if (ctx.rank() != 0) return 0;

  const double us = 1e6 / static_cast<double>(*calls);
  const double baseline_us = bench::median(baseline_seconds) * us;
  fmt::print("INFO call_cost_us_raw_mpi_np{} {:.3f}\n", ctx.size(), baseline_us);
  for (std::size_t s = 0; s < schedules.size(); ++s) {
    const double per_call = bench::median(seconds[s]) * us;
    const std::string name{mpimr::to_string(schedules[s])};
    fmt::print("INFO call_cost_us_fill_and_reduce_{}_np{} {:.3f} ({} chunks of {}; {:.2f}x raw)\n",
               name, ctx.size(), per_call, chunk_count, *chunk_size, per_call / baseline_us);
  }
  return 0;
}
