// Directed edges as the input gives them (original vertex ids, duplicates and self-loops kept):
// read from a SNAP-style edge-list file, and written back as one.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pagerank_app {

struct edge {
  std::uint64_t src = 0;
  std::uint64_t dst = 0;
};

/// A missing, unreadable or malformed input; the message names the file and, for a bad line, its
/// number.
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads `path`: one edge `src dst` per line, the two ids non-negative decimal integers that fit
/// 64 bits, separated by spaces or tabs; lines that are blank or start with '#' (after blanks) are
/// skipped, and a CR before LF is ignored. Throws input_error for a missing or unreadable file, a
/// malformed line, or a file without edges.
[[nodiscard]] std::vector<edge> read_edge_file(const std::string& path);

/// The same rules over `text` already read; messages name `source` where they name the file.
[[nodiscard]] std::vector<edge> parse_edge_list(std::string_view text, std::string_view source);

/// The edges as an edge-list file: the `comment` lines (each prefixed with "# "), then
/// `src<TAB>dst` per edge, in the given order.
[[nodiscard]] std::string edge_list_text(const std::vector<edge>& edges,
                                         const std::vector<std::string>& comment);

}  // namespace pagerank_app
