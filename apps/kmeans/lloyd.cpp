// Lloyd iterations and the final assignment (see lloyd.hpp).
#include "lloyd.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>

#include "nearest.hpp"

namespace kmeans_app {

namespace {

using counts_vector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
// Per-cluster coordinate sums (one column per cluster), point counts, and the inertia (sum of
// squared distances) of the assignment: everything one iteration needs, in one reduce.
using cluster_sums = std::tuple<Eigen::MatrixXd, counts_vector, double>;

cluster_sums zero_sums(Eigen::Index dims, Eigen::Index k) {
  return {Eigen::MatrixXd::Zero(dims, k), counts_vector::Zero(k), 0.0};
}

}  // namespace

std::uint64_t default_chunk_size(std::uint64_t points) {
  constexpr std::uint64_t target = 1024;
  const std::uint64_t chunks = std::max<std::uint64_t>(1, (points + target / 2) / target);
  return std::max<std::uint64_t>(1, (points + chunks - 1) / chunks);
}

std::uint64_t chunk_size_for(const lloyd_settings& settings, std::uint64_t points) {
  return settings.chunk_size != 0 ? settings.chunk_size : default_chunk_size(points);
}

lloyd_result run_lloyd(mpimr::context& ctx, const Eigen::Ref<const Eigen::MatrixXd>& points,
                       Eigen::MatrixXd centroids, const lloyd_settings& settings) {
  const Eigen::Index dims = points.rows();
  const Eigen::Index k = centroids.cols();
  const auto n = static_cast<std::uint64_t>(points.cols());
  lloyd_result out;
  // auto means adaptive: every iteration sweeps the same points at the same cost per point, so one
  // block per rank as static blocks would do, but with bounds that follow each rank's measured
  // time: on cores of unequal speed (busy neighbours, a slower node) static blocks wait for the
  // slowest every iteration.
  out.schedule = settings.schedule == mpimr::schedule::automatic ? mpimr::schedule::adaptive
                                                                 : settings.schedule;
  out.chunk_size = chunk_size_for(settings, n);
  const mpimr::options options{
      .schedule = out.schedule, .chunk_size = out.chunk_size, .deterministic = true};
  while (out.iterations < settings.max_iterations) {
    const auto start = std::chrono::steady_clock::now();
    auto body = [&](const mpimr::chunk& c) {
      cluster_sums partial = zero_sums(dims, k);
      auto& [sums, counts, inertia] = partial;
      for (const auto i : c.indices()) {
        const double* x = points.col(static_cast<Eigen::Index>(i)).data();
        const nearest best = nearest_centroid(x, centroids);
        for (Eigen::Index t = 0; t < dims; ++t) sums(t, best.cluster) += x[t];
        counts(best.cluster) += 1;
        inertia += best.distance;
      }
      return partial;
    };
    const auto [sums, counts, inertia] = mpimr::reduce(
        ctx, mpimr::index_range{0, n}, zero_sums(dims, k), body, mpimr::memberwise{}, options);
    double shift = 0;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (counts(j) == 0) continue;  // an empty cluster keeps its centroid
      double moved = 0;
      for (Eigen::Index t = 0; t < dims; ++t) {
        const double mean = sums(t, j) / static_cast<double>(counts(j));
        const double diff = mean - centroids(t, j);
        moved += diff * diff;
        centroids(t, j) = mean;
      }
      shift = std::max(shift, std::sqrt(moved));
    }
    ++out.iterations;
    out.seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    out.last_shift = shift;
    out.inertia.push_back(inertia);
    out.shift.push_back(shift);
    if (shift <= settings.tolerance) {
      out.converged = true;
      break;
    }
  }
  out.centroids = std::move(centroids);
  return out;
}

std::vector<assignment> assign_points(mpimr::context& ctx,
                                      const Eigen::Ref<const Eigen::MatrixXd>& points,
                                      const Eigen::MatrixXd& centroids,
                                      const lloyd_settings& settings) {
  return mpimr::map_to(
      ctx, 0, mpimr::index_range{0, static_cast<std::uint64_t>(points.cols())},
      [&](std::uint64_t i) {
        const nearest best =
            nearest_centroid(points.col(static_cast<Eigen::Index>(i)).data(), centroids);
        return assignment{best.distance, static_cast<std::int64_t>(best.cluster)};
      },
      {.schedule = settings.schedule,
       .chunk_size = chunk_size_for(settings, static_cast<std::uint64_t>(points.cols()))});
}

}  // namespace kmeans_app
