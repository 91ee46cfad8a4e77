// Generating Gaussian blobs (see points.hpp; CSV reading and writing are in points_csv.cpp).
#include "points.hpp"

#include <algorithm>
#include <cmath>
#include <mpimr/chunk_rng.hpp>
#include <numbers>
#include <optional>
#include <utility>

namespace kmeans_app {
namespace {

/// A standard normal deviate per call, from Box-Muller pairs of the stream's uniforms.
class normal_source {
 public:
  explicit normal_source(mpimr::chunk_rng& rng) noexcept : rng_(rng) {}
  double operator()() {
    if (spare_) return *std::exchange(spare_, std::nullopt);
    const double u1 = 1.0 - rng_.uniform();  // (0, 1]: the logarithm stays finite
    const double u2 = rng_.uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * std::numbers::pi * u2);
    return r * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  mpimr::chunk_rng& rng_;
  std::optional<double> spare_;
};

/// Streams of one seed: blob centres are keyed by blob number, points by point number.
constexpr std::uint64_t centre_stream = 1;
constexpr std::uint64_t point_stream = 2;

mpimr::chunk key(std::uint64_t id) { return mpimr::chunk{id, id, id + 1}; }

}  // namespace

void generate_blob_points(std::span<double> out, std::uint64_t first, std::uint64_t dims,
                          std::uint64_t blobs, double spread, std::uint64_t seed) {
  const auto d = static_cast<Eigen::Index>(dims);
  Eigen::MatrixXd centres(d, static_cast<Eigen::Index>(blobs));
  for (std::uint64_t j = 0; j < blobs; ++j) {
    mpimr::chunk_rng rng(seed, key(j), centre_stream);
    for (Eigen::Index t = 0; t < d; ++t) {
      centres(t, static_cast<Eigen::Index>(j)) = -10.0 + 20.0 * rng.uniform();
    }
  }
  const std::uint64_t count = out.size() / dims;
  for (std::uint64_t p = 0; p < count; ++p) {
    mpimr::chunk_rng rng(seed, key(first + p), point_stream);
    const auto blob = std::min(
        static_cast<Eigen::Index>(rng.uniform() * static_cast<double>(blobs)), centres.cols() - 1);
    normal_source normal(rng);
    double* point = out.data() + p * dims;
    for (Eigen::Index t = 0; t < d; ++t) point[t] = centres(t, blob) + spread * normal();
  }
}

point_set generate_blobs(std::uint64_t n, std::uint64_t dims, std::uint64_t blobs, double spread,
                         std::uint64_t seed) {
  point_set out;
  out.coords.resize(static_cast<Eigen::Index>(dims), static_cast<Eigen::Index>(n));
  generate_blob_points(std::span(out.coords.data(), static_cast<std::size_t>(n * dims)), 0, dims,
                       blobs, spread, seed);
  return out;
}

}  // namespace kmeans_app
