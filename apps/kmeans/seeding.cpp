// k-means++ seeding (see seeding.hpp). Serial on every rank: one pass over the points per centroid,
// O(n k d) in all, about the work of one serial Lloyd iteration.
#include "seeding.hpp"

#include <algorithm>
#include <mpimr/chunk_rng.hpp>
#include <vector>

#include "nearest.hpp"

namespace kmeans_app {

namespace {
// Apart from the streams that generate points (see points.cpp), so a seed can serve both.
constexpr std::uint64_t seeding_stream = 3;
}  // namespace

Eigen::MatrixXd kmeans_plus_plus(const Eigen::Ref<const Eigen::MatrixXd>& points, std::uint64_t k,
                                 std::uint64_t seed) {
  const Eigen::Index n = points.cols();
  const Eigen::Index dims = points.rows();
  mpimr::chunk_rng rng(seed, mpimr::chunk{0, 0, 0}, seeding_stream);
  Eigen::MatrixXd centroids(dims, static_cast<Eigen::Index>(k));
  const auto first =
      std::min(static_cast<Eigen::Index>(rng.uniform() * static_cast<double>(n)), n - 1);
  centroids.col(0) = points.col(first);
  std::vector<double> d2(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    d2[static_cast<std::size_t>(i)] =
        squared_distance(points.col(i).data(), centroids.col(0).data(), dims);
  }
  for (Eigen::Index j = 1; j < centroids.cols(); ++j) {
    double total = 0;
    for (const double x : d2) total += x;
    Eigen::Index pick = 0;
    if (total > 0) {
      // The first point whose running sum passes the target; rounding can leave the target at
      // the very end, where the last point with a positive weight takes it.
      const double target = rng.uniform() * total;
      double running = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const double w = d2[static_cast<std::size_t>(i)];
        if (w <= 0) continue;
        pick = i;
        running += w;
        if (running > target) break;
      }
    }
    centroids.col(j) = points.col(pick);
    for (Eigen::Index i = 0; i < n; ++i) {
      auto& best = d2[static_cast<std::size_t>(i)];
      best = std::min(best, squared_distance(points.col(i).data(), centroids.col(j).data(), dims));
    }
  }
  return centroids;
}

}  // namespace kmeans_app
