// One Lloyd iteration written plainly in Eigen, in one process: the serial baseline of apps/kmeans
// (bench_kmeans_serial, bench_kmeans_interleaved). The app's rules: the same nearest-centroid
// choice, and a cluster left without points keeps its centroid.
#pragma once

#include <Eigen/Core>
#include <algorithm>

#include "nearest.hpp"

namespace bench {

struct lloyd_step {
  double inertia = 0;  // of the assignment this iteration made
  double shift = 0;    // farthest move of a centroid
};

/// Assigns every point (a column of `points`) to its nearest centroid and moves each centroid
/// (a column of `centroids`) to the mean of its points.
inline lloyd_step serial_lloyd_step(const Eigen::MatrixXd& points, Eigen::MatrixXd& centroids) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(points.rows(), centroids.cols());
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(centroids.cols());
  lloyd_step step;
  for (Eigen::Index i = 0; i < points.cols(); ++i) {
    const kmeans_app::nearest best = kmeans_app::nearest_centroid(points.col(i).data(), centroids);
    sums.col(best.cluster) += points.col(i);
    counts[best.cluster] += 1;
    step.inertia += best.distance;
  }
  for (Eigen::Index j = 0; j < centroids.cols(); ++j) {
    if (counts[j] == 0) continue;
    const Eigen::VectorXd mean = sums.col(j) / counts[j];
    step.shift = std::max(step.shift, (mean - centroids.col(j)).norm());
    centroids.col(j) = mean;
  }
  return step;
}

}  // namespace bench
