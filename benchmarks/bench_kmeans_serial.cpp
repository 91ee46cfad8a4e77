// Serial baseline for the k-means benchmark: the same algorithm as apps/kmeans (Lloyd iterations
// from the same k-means++ seeds on the same generated blobs, the same nearest-centroid rule, empty
// clusters kept in place) with Eigen in one process, no MPI, no mpimr operation. Prints the app's
// summary lines, the iteration time among them.
// Usage: bench_kmeans_serial POINTS DIMS K [SEED=1] [MAX_ITERATIONS=300] [TOLERANCE=0]
#include <fmt/core.h>

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "../apps/common/iteration_times.hpp"
#include "points.hpp"
#include "seeding.hpp"
#include "serial_lloyd.hpp"

namespace {

std::uint64_t argument(int argc, char** argv, int index, std::uint64_t fallback) {
  return argc > index ? std::strtoull(argv[index], nullptr, 10) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(stderr, "usage: {} POINTS DIMS K [SEED] [MAX_ITERATIONS] [TOLERANCE]\n", argv[0]);
    return 2;
  }
  const std::uint64_t n = argument(argc, argv, 1, 0);
  const std::uint64_t dims = argument(argc, argv, 2, 0);
  const std::uint64_t k = argument(argc, argv, 3, 0);
  const std::uint64_t seed = argument(argc, argv, 4, 1);
  const std::uint64_t max_iterations = argument(argc, argv, 5, 300);
  const double tolerance = argc > 6 ? std::strtod(argv[6], nullptr) : 0.0;
  if (n < 1 || dims < 1 || k < 1 || k > n) {
    fmt::print(stderr, "{}: bad arguments\n", argv[0]);
    return 2;
  }
  // As apps/kmeans --generate N --dims D -k K --seed S: blobs around K centres, spread 1.
  const Eigen::MatrixXd points = kmeans_app::generate_blobs(n, dims, k, 1.0, seed).coords;
  Eigen::MatrixXd centroids = kmeans_app::kmeans_plus_plus(points, k, seed);

  std::uint64_t iterations = 0;
  bool converged = false;
  bench::lloyd_step step;
  std::vector<double> seconds;  // each iteration's
  const auto start = std::chrono::steady_clock::now();
  auto iteration_start = start;
  while (iterations < max_iterations) {
    step = bench::serial_lloyd_step(points, centroids);
    ++iterations;
    const auto now = std::chrono::steady_clock::now();
    seconds.push_back(std::chrono::duration<double>(now - iteration_start).count());
    iteration_start = now;
    if (step.shift <= tolerance) {
      converged = true;
      break;
    }
  }
  const double loop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("points          {}\n", n);
  fmt::print("dimensions      {}\n", dims);
  fmt::print("clusters        {}\n", k);
  fmt::print("iterations      {}\n", iterations);
  fmt::print("converged       {}\n", converged ? "yes" : "no");
  fmt::print("inertia         {:.17g}\n", step.inertia);  // of the last iteration's assignment
  fmt::print("last_shift      {:.3e}\n", step.shift);
  fmt::print("loop_seconds    {:.6f}\n", loop_seconds);
  app::print_iteration_times(seconds);  // as apps/kmeans prints them
  return 0;
}
