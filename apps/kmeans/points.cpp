// Reading points from CSV, generating Gaussian blobs, and writing columns as CSV (see points.hpp).
#include "points.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mpimr/chunk_rng.hpp>
#include <numbers>
#include <optional>
#include <string_view>
#include <utility>

#include "../common/parse_real.hpp"
#include "../common/read_file.hpp"

namespace kmeans_app {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    const auto comma = line.find(',');
    fields.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

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

point_set read_points_csv(const std::string& path) {
  const std::string text = app::read_whole_file<input_error>(path);
  point_set out;
  std::vector<double> values;  // point after point: the column-major layout of coords
  std::size_t dims = 0;
  std::uint64_t dims_line = 0;
  std::uint64_t line_number = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    ++line_number;
    const auto newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    if (dims == 0) {
      dims = fields.size();
      dims_line = line_number;
      bool any_number = false;
      for (const auto f : fields) any_number = any_number || app::parse_finite(f).has_value();
      if (!any_number) {  // a header: the column names
        for (const auto f : fields) out.names.emplace_back(f);
        continue;
      }
    }
    if (fields.size() != dims) {
      throw input_error(fmt::format("{}, line {}: {} fields, but line {} has {}", path, line_number,
                                    fields.size(), dims_line, dims));
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto value = app::parse_finite(fields[i]);
      if (!value) {
        throw input_error(fmt::format("{}, line {}, field {}: '{}' is not a finite number", path,
                                      line_number, i + 1, fields[i]));
      }
      values.push_back(*value);
    }
  }
  if (values.empty()) throw input_error(fmt::format("{}: no data rows", path));
  const auto n = static_cast<Eigen::Index>(values.size() / dims);
  out.coords = Eigen::Map<const Eigen::MatrixXd>(values.data(), static_cast<Eigen::Index>(dims), n);
  return out;
}

point_set generate_blobs(std::uint64_t n, std::uint64_t dims, std::uint64_t blobs, double spread,
                         std::uint64_t seed) {
  const auto d = static_cast<Eigen::Index>(dims);
  Eigen::MatrixXd centres(d, static_cast<Eigen::Index>(blobs));
  for (std::uint64_t j = 0; j < blobs; ++j) {
    mpimr::chunk_rng rng(seed, key(j), centre_stream);
    for (Eigen::Index t = 0; t < d; ++t) {
      centres(t, static_cast<Eigen::Index>(j)) = -10.0 + 20.0 * rng.uniform();
    }
  }
  point_set out;
  out.coords.resize(d, static_cast<Eigen::Index>(n));
  for (std::uint64_t i = 0; i < n; ++i) {
    mpimr::chunk_rng rng(seed, key(i), point_stream);
    const auto blob = std::min(
        static_cast<Eigen::Index>(rng.uniform() * static_cast<double>(blobs)), centres.cols() - 1);
    normal_source normal(rng);
    for (Eigen::Index t = 0; t < d; ++t) {
      out.coords(t, static_cast<Eigen::Index>(i)) = centres(t, blob) + spread * normal();
    }
  }
  return out;
}

std::string columns_csv(const Eigen::MatrixXd& columns, const std::vector<std::string>& names) {
  std::string out;
  for (Eigen::Index t = 0; t < columns.rows(); ++t) {
    if (t > 0) out += ',';
    if (names.empty()) {
      out += fmt::format("x{}", t + 1);
    } else {
      out += names[static_cast<std::size_t>(t)];
    }
  }
  out += '\n';
  for (Eigen::Index j = 0; j < columns.cols(); ++j) {
    for (Eigen::Index t = 0; t < columns.rows(); ++t) {
      if (t > 0) out += ',';
      out += fmt::format("{:.17g}", columns(t, j));
    }
    out += '\n';
  }
  return out;
}

}  // namespace kmeans_app
