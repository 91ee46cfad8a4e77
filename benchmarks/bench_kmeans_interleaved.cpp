// k-means' parallel efficiency measured within one launch: serial and 2-rank Lloyd iterations take
// turns in short blocks (turns.hpp says why and what is printed). Launched separately, a k-means
// run on 10^4 points converges after about 35 iterations of 0.3 ms: its whole timed loop is 10 ms,
// a window too short for a machine whose speed drifts.
//
// Each round runs, in this order: the serial loop (serial_lloyd.hpp, bench_kmeans_serial's loop)
// on rank 0 while the other ranks wait, then on rank 1, ..., then on every rank at once; then
// kmeans_app::run_lloyd, the app's own iteration (one deterministic mpimr::reduce of per-cluster
// sums, counts and inertia), on every rank. Every block starts from the same k-means++ seeds and
// runs BLOCK iterations whether or not it converges; each block's first iteration is dropped.
// The points are each rank's own copy, generated as apps/kmeans --generate generates them.
// After every block, the 2-rank centroids must equal the serial ones to 1e-9 (relative; the sums
// are added in another order), or it exits 1.
// Usage: mpirun -np P bench_kmeans_interleaved POINTS [DIMS=4] [K=16] [SEED=1] [BLOCK=20]
//        [ROUNDS=20] [CHUNK] [SCHEDULE=auto]   (CHUNK and SCHEDULE as the app's options; without
//        CHUNK, the app's default chunk size)
#include <fmt/core.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <vector>

#include "bench_util.hpp"
#include "lloyd.hpp"
#include "points.hpp"
#include "seeding.hpp"
#include "serial_lloyd.hpp"
#include "turns.hpp"

namespace {

/// BLOCK serial iterations from `seeds`; appends the times of all but the first to `seconds` and
/// returns the centroids.
Eigen::MatrixXd serial_block(const Eigen::MatrixXd& points, const Eigen::MatrixXd& seeds,
                             std::uint64_t block, std::vector<double>& seconds) {
  Eigen::MatrixXd centroids = seeds;
  for (std::uint64_t i = 0; i < block; ++i) {
    const auto start = std::chrono::steady_clock::now();
    static_cast<void>(bench::serial_lloyd_step(points, centroids));
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (i > 0) seconds.push_back(took.count());
  }
  return centroids;
}

bool close_to(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         ((a - b).array().abs() <= 1e-9 * b.array().abs().max(1.0)).all();
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  ctx.set_reporting(false);  // as the apps run without --report
  const auto n = bench::count_arg(argc, argv, 1, 0);
  const auto dims = bench::count_arg(argc, argv, 2, 4);
  const auto k = bench::count_arg(argc, argv, 3, 16);
  const auto seed = bench::count_arg(argc, argv, 4, 1);
  const auto block = bench::count_arg(argc, argv, 5, 20);
  const auto rounds = bench::count_arg(argc, argv, 6, 20);
  const auto chunk = bench::count_arg(argc, argv, 7, 0);
  if (!n || !dims || !k || !seed || !block || !rounds || !chunk) return 2;
  if (argc < 2 || *k > *n || *block < 2) {
    if (ctx.rank() == 0) {
      fmt::print(stderr,
                 "usage: {} POINTS [DIMS] [K<=POINTS] [SEED] [BLOCK>=2] [ROUNDS] [CHUNK] "
                 "[SCHEDULE]\n",
                 argv[0]);
    }
    return 2;
  }
  // auto: run_lloyd's adaptive.
  const auto schedule = bench::schedule_arg(argc, argv, 8, mpimr::schedule::automatic, ctx.rank());
  if (!schedule) return 2;

  // As apps/kmeans --generate N --dims D -k K --seed S: blobs around K centres, spread 1.
  const Eigen::MatrixXd points = kmeans_app::generate_blobs(*n, *dims, *k, 1.0, *seed).coords;
  const Eigen::MatrixXd seeds = kmeans_app::kmeans_plus_plus(points, *k, *seed);
  // A negative tolerance: every block runs all its iterations, converged or not.
  const kmeans_app::lloyd_settings settings{
      .max_iterations = *block, .tolerance = -1, .schedule = *schedule, .chunk_size = *chunk};

  Eigen::MatrixXd expected;
  bool same = true;
  mpimr::schedule used = *schedule;
  const bench::turn_times times = bench::take_turns(
      MPI_COMM_WORLD, *rounds,
      [&](std::vector<double>& seconds) {
        expected = serial_block(points, seeds, *block, seconds);
      },
      [&](std::vector<double>& seconds) {
        const kmeans_app::lloyd_result result = kmeans_app::run_lloyd(ctx, points, seeds, settings);
        seconds.insert(seconds.end(), result.seconds.begin() + 1, result.seconds.end());
        used = result.schedule;
        same = same && close_to(result.centroids, expected);
      });

  int all_same = same ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_same, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  if (all_same == 0) {
    if (ctx.rank() == 0) {
      fmt::print(stderr, "{}: the centroids at {} ranks differ from the serial ones\n", argv[0],
                 ctx.size());
    }
    return 1;
  }
  bench::print_turns(MPI_COMM_WORLD, times);
  if (ctx.rank() != 0) return 0;
  fmt::print("points {}\ndims {}\nclusters {}\nranks {}\nblock {}\nrounds {}\nschedule {}\n", *n,
             *dims, *k, ctx.size(), *block, *rounds, mpimr::to_string(used));
  return 0;
}
