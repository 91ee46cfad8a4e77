// Points as CSV text, read and written (see points.hpp). Apart from the rest of the app, and free
// of MPI, so that the fuzz target (tests/fuzz) runs the very code the app runs.
#include <fmt/core.h>

#include <string_view>

#include "../common/parse_real.hpp"
#include "../common/printable.hpp"
#include "../common/read_file.hpp"
#include "points.hpp"

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

}  // namespace

point_set parse_points_csv(std::string_view text, std::string_view source) {
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
      throw input_error(fmt::format("{}, line {}: {} fields, but line {} has {}", source,
                                    line_number, fields.size(), dims_line, dims));
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto value = app::parse_finite(fields[i]);
      if (!value) {
        throw input_error(fmt::format("{}, line {}, field {}: '{}' is not a finite number", source,
                                      line_number, i + 1, app::printable(fields[i])));
      }
      values.push_back(*value);
    }
  }
  if (values.empty()) throw input_error(fmt::format("{}: no data rows", source));
  const auto n = static_cast<Eigen::Index>(values.size() / dims);
  out.coords = Eigen::Map<const Eigen::MatrixXd>(values.data(), static_cast<Eigen::Index>(dims), n);
  return out;
}

point_set read_points_csv(const std::string& path) {
  return parse_points_csv(app::read_whole_file<input_error>(path), path);
}

std::string columns_csv(const Eigen::Ref<const Eigen::MatrixXd>& columns,
                        const std::vector<std::string>& names) {
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
