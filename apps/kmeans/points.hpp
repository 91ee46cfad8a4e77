// The points k-means clusters: read from a CSV file (numeric columns, optional header line) or
// generated as Gaussian blobs from a seed; and CSV text for centroids and points.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kmeans_app {

struct point_set {
  Eigen::MatrixXd coords;          // one column per point, in input order
  std::vector<std::string> names;  // column names from the header line; empty without one
};

/// A missing, unreadable or malformed input; the message names the file and, for a bad line, its
/// number.
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads `path`: comma-separated numbers, the same count on every line; blanks around a field, CR
/// before LF and empty lines are ignored. The first non-empty line is a header when none of its
/// fields is a number. Every value must be finite. Throws input_error.
[[nodiscard]] point_set read_points_csv(const std::string& path);

/// The same rules over `text` already read; messages name `source` where they name the file.
[[nodiscard]] point_set parse_points_csv(std::string_view text, std::string_view source);

/// `n` points in `dims` dimensions around `blobs` centres drawn uniformly from [-10, 10]^dims, each
/// point from a blob picked uniformly plus Gaussian noise of standard deviation `spread`. Point i
/// depends only on (seed, i): the same on every rank and for any rank count.
[[nodiscard]] point_set generate_blobs(std::uint64_t n, std::uint64_t dims, std::uint64_t blobs,
                                       double spread, std::uint64_t seed);

/// Points first .. first + out.size() / dims - 1 of generate_blobs(..., seed), written into `out`
/// one point after another (the column-major layout of point_set::coords): any range of points
/// can be generated on its own, by any rank.
void generate_blob_points(std::span<double> out, std::uint64_t first, std::uint64_t dims,
                          std::uint64_t blobs, double spread, std::uint64_t seed);

/// A header line (`names`, or x1..xd when empty) and one line per column of `columns`, every value
/// printed with 17 significant digits so that it reads back as the same double.
[[nodiscard]] std::string columns_csv(const Eigen::Ref<const Eigen::MatrixXd>& columns,
                                      const std::vector<std::string>& names);

}  // namespace kmeans_app
