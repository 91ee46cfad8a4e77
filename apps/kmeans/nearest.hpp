// The distance and nearest-centroid rule every step of k-means uses. Written as plain loops, in
// coordinate order, so the sums are rounded exactly as a plain serial implementation rounds them
// (the tests compare against one in Python).
#pragma once

#include <Eigen/Core>

namespace kmeans_app {

[[nodiscard]] inline double squared_distance(const double* a, const double* b,
                                             Eigen::Index dims) noexcept {
  double sum = 0;
  for (Eigen::Index t = 0; t < dims; ++t) {
    const double diff = a[t] - b[t];
    sum += diff * diff;
  }
  return sum;
}

struct nearest {
  Eigen::Index cluster = 0;
  double distance = 0;  // squared
};

/// The centroid (a column of `centroids`) closest to `point`; ties go to the lowest index.
[[nodiscard]] inline nearest nearest_centroid(const double* point,
                                              const Eigen::MatrixXd& centroids) noexcept {
  const Eigen::Index dims = centroids.rows();
  nearest best{0, squared_distance(point, centroids.col(0).data(), dims)};
  for (Eigen::Index j = 1; j < centroids.cols(); ++j) {
    const double d = squared_distance(point, centroids.col(j).data(), dims);
    if (d < best.distance) best = {j, d};
  }
  return best;
}

}  // namespace kmeans_app
