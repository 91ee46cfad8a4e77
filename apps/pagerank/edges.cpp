// Reading and writing edge-list files (see edges.hpp).
#include "edges.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>

#include "../common/printable.hpp"
#include "../common/read_file.hpp"

namespace pagerank_app {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// The line's fields, split at runs of blanks; at most three are kept (more is an error anyway).
std::size_t split_fields(std::string_view line, std::string_view (&fields)[3]) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (count < 3) fields[count] = line.substr(start, i - start);
    ++count;
  }
  return count;
}

}  // namespace

std::vector<edge> read_edge_file(const std::string& path) {
  return parse_edge_list(app::read_whole_file<input_error>(path), path);
}

std::vector<edge> parse_edge_list(std::string_view text, std::string_view source) {
  std::vector<edge> edges;
  std::uint64_t line_number = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    ++line_number;
    const auto newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view fields[3];
    const std::size_t count = split_fields(line, fields);
    if (count == 0 || fields[0].front() == '#') continue;
    if (count != 2) {
      throw input_error(fmt::format("{}, line {}: expected 2 fields 'src dst', found {}", source,
                                    line_number, count));
    }
    std::uint64_t ids[2] = {0, 0};
    for (int f = 0; f < 2; ++f) {
      const std::string_view field = fields[f];
      const char* end = field.data() + field.size();
      const auto [ptr, ec] = std::from_chars(field.data(), end, ids[f]);
      // Out of range only if the digits were the whole field: "99999999999999999999x" is no id.
      if (ec == std::errc::result_out_of_range && ptr == end) {
        throw input_error(fmt::format("{}, line {}: vertex id '{}' is too large (at most {})",
                                      source, line_number, app::printable(field),
                                      std::numeric_limits<std::uint64_t>::max()));
      }
      if (ec != std::errc{} || ptr != end) {
        const bool negative = field.size() > 1 && field.front() == '-' &&
                              field.find_first_not_of("0123456789", 1) == std::string_view::npos;
        throw input_error(fmt::format("{}, line {}: vertex id '{}' is {}", source, line_number,
                                      app::printable(field),
                                      negative ? "negative" : "not a non-negative integer"));
      }
    }
    edges.push_back({ids[0], ids[1]});
  }
  if (edges.empty()) throw input_error(fmt::format("{}: no edges", source));
  return edges;
}

std::string edge_list_text(const std::vector<edge>& edges,
                           const std::vector<std::string>& comment) {
  std::string out;
  out.reserve(edges.size() * 16);
  for (const auto& line : comment) out.append("# ").append(line).append("\n");
  auto sink = std::back_inserter(out);
  for (const auto& e : edges) fmt::format_to(sink, "{}\t{}\n", e.src, e.dst);
  return out;
}

}  // namespace pagerank_app
