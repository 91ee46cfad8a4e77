// k-means++ seeding: the first centroid a point drawn uniformly, each next one a point drawn with
// probability proportional to its squared distance from the nearest centroid chosen so far.
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace kmeans_app {

/// `k` columns of `points` chosen by k-means++ from a Philox stream keyed by `seed` alone. Every
/// rank runs it on the same points and gets the same centroids, whatever the rank count. When all
/// points sit on centroids already (fewer distinct points than k) the next one is point 0 again,
/// a duplicate that ends up an empty cluster.
[[nodiscard]] Eigen::MatrixXd kmeans_plus_plus(const Eigen::Ref<const Eigen::MatrixXd>& points,
                                               std::uint64_t k, std::uint64_t seed);

}  // namespace kmeans_app
