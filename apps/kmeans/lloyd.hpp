// Lloyd's algorithm on mpimr: each iteration is one deterministic reduce of per-cluster sums,
// counts and inertia over chunks of points; and the final assignment of every point.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <vector>

namespace kmeans_app {

struct lloyd_settings {
  std::uint64_t max_iterations = 300;
  double tolerance = 0;  // stop once no centroid moves farther than this (Euclidean)
  // auto means adaptive for the iterations (run_lloyd) and the framework's default for the one
  // pass of assign_points.
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_size = 0;  // points per chunk; 0: default_chunk_size(points)
};

/// About 1024 points per chunk, the chunks of one size, so that the last one is not much shorter
/// than the rest: ceil(points / c) for c = points / 1024 rounded half up (at least 1). The adaptive
/// schedule gives each rank a block of whole chunks, and on 10^4 points 9 chunks of 1024 and one of
/// 784 split between 2 ranks no better than 5120 / 4880 points, 2.4% more work on one rank;
/// 10 chunks of 1000 split evenly. Measured at 2 ranks, median iteration of 4 alternating
/// launches each (2026-12-03): 122-123 us with chunks of 1000, 125-127 us with 1024, 137-138 us
/// with the former default of 4096 (3 chunks); serial 227 us.
[[nodiscard]] std::uint64_t default_chunk_size(std::uint64_t points);

/// settings.chunk_size, or default_chunk_size(points) when it is 0.
[[nodiscard]] std::uint64_t chunk_size_for(const lloyd_settings& settings, std::uint64_t points);

struct lloyd_result {
  Eigen::MatrixXd centroids;                              // one column per cluster
  mpimr::schedule schedule = mpimr::schedule::automatic;  // as the iterations used it
  std::uint64_t chunk_size = 0;                           // as the iterations used it
  std::uint64_t iterations = 0;
  bool converged = false;
  double last_shift = 0;  // farthest move of a centroid in the last iteration
  // Per iteration: the inertia of the assignment it made, and how far the centroids then moved.
  std::vector<double> inertia;
  std::vector<double> shift;
  std::vector<double> seconds;  // wall time of each iteration on this rank, reduce included
};

/// Iterates from `centroids`: assign each point to its nearest centroid, move each centroid to the
/// mean of its points. A cluster left without points keeps its centroid where it was. The same
/// bits at every rank count and schedule (deterministic reduce over a fixed chunk size).
[[nodiscard]] lloyd_result run_lloyd(mpimr::context& ctx,
                                     const Eigen::Ref<const Eigen::MatrixXd>& points,
                                     Eigen::MatrixXd centroids, const lloyd_settings& settings);

struct assignment {
  double distance = 0;  // squared distance to the centroid
  std::int64_t cluster = 0;
};

/// Every point's nearest centroid, in point order, on rank 0 (empty elsewhere: only rank 0 writes
/// and sums them, and n of them on every rank would grow a node's memory with its ranks).
[[nodiscard]] std::vector<assignment> assign_points(mpimr::context& ctx,
                                                    const Eigen::Ref<const Eigen::MatrixXd>& points,
                                                    const Eigen::MatrixXd& centroids,
                                                    const lloyd_settings& settings);

}  // namespace kmeans_app
