// Building the link matrix from an edge list (see link_graph.hpp): ids renumbered, edges grouped
// by destination with a counting sort, each row's sources sorted and their duplicates dropped.
#include "link_graph.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace pagerank_app {
namespace {

constexpr std::uint64_t most = std::numeric_limits<std::int32_t>::max();

/// Original id -> vertex number: a table when the ids are dense enough that it costs no more
/// memory than sorting them (R-MAT graphs, most SNAP files), a binary search otherwise.
class id_index {
 public:
  explicit id_index(const std::vector<edge>& edges) {
    std::uint64_t max_id = 0;
    for (const auto& e : edges) max_id = std::max({max_id, e.src, e.dst});
    if (max_id < 4 * edges.size() + 1024 && max_id < most) {
      table_.assign(max_id + 1, -1);
      for (const auto& e : edges) table_[e.src] = table_[e.dst] = 0;
      for (std::uint64_t id = 0; id <= max_id; ++id) {
        if (table_[id] < 0) continue;
        table_[id] = static_cast<std::int32_t>(ids_.size());
        ids_.push_back(id);
      }
    } else {
      ids_.reserve(2 * edges.size());
      for (const auto& e : edges) {
        ids_.push_back(e.src);
        ids_.push_back(e.dst);
      }
      std::sort(ids_.begin(), ids_.end());
      ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
      if (ids_.size() > most) too_many_vertices();
      ids_.shrink_to_fit();
    }
  }

  [[nodiscard]] std::int32_t operator[](std::uint64_t id) const {
    if (!table_.empty()) return table_[id];
    return static_cast<std::int32_t>(std::lower_bound(ids_.begin(), ids_.end(), id) - ids_.begin());
  }
  [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }
  /// The ids by vertex number; lookups end here.
  [[nodiscard]] std::vector<std::uint64_t> take_ids() { return std::move(ids_); }

 private:
  [[noreturn]] static void too_many_vertices() {
    throw input_error(fmt::format("more than {} distinct vertices", most));
  }

  std::vector<std::uint64_t> ids_;
  std::vector<std::int32_t> table_;
};

}  // namespace

link_graph build_link_graph(std::vector<edge> edges) {
  link_graph g;
  g.input_edges = edges.size();
  id_index index(edges);
  const std::size_t n = index.size();

  // Row i of the transposed matrix lists the sources of the edges into i: a counting sort by
  // destination, O(edges), then a sort of each (short) row.
  std::vector<std::uint64_t> start(n + 1, 0);
  for (auto& e : edges) {
    e = {static_cast<std::uint64_t>(index[e.src]), static_cast<std::uint64_t>(index[e.dst])};
    ++start[e.dst + 1];
  }
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<std::int32_t> sources(edges.size());
  {
    std::vector<std::uint64_t> next(start.begin(), start.end() - 1);
    for (const auto& e : edges) sources[next[e.dst]++] = static_cast<std::int32_t>(e.src);
  }
  std::vector<edge>().swap(edges);
  g.ids = index.take_ids();

  std::vector<std::int32_t> outer(n + 1, 0);
  std::uint64_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto first = sources.begin() + static_cast<std::ptrdiff_t>(start[i]);
    const auto last = sources.begin() + static_cast<std::ptrdiff_t>(start[i + 1]);
    std::sort(first, last);
    const auto unique_end = std::unique(first, last);
    const auto count = static_cast<std::uint64_t>(unique_end - first);
    if (kept + count > most) throw input_error(fmt::format("more than {} distinct edges", most));
    std::copy(first, unique_end, sources.begin() + static_cast<std::ptrdiff_t>(kept));
    kept += count;
    outer[i + 1] = static_cast<std::int32_t>(kept);
  }
  sources.resize(kept);

  std::vector<std::int64_t> out_degree(n, 0);
  for (const auto j : sources) ++out_degree[static_cast<std::size_t>(j)];
  g.out_weight.assign(n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    if (out_degree[j] == 0) {
      g.dangling.push_back(static_cast<std::int32_t>(j));
    } else {
      g.out_weight[j] = 1.0 / static_cast<double>(out_degree[j]);
    }
  }

  const auto size = static_cast<Eigen::Index>(n);
  g.links.resize(size, size);  // compressed, all rows empty
  g.links.resizeNonZeros(static_cast<Eigen::Index>(kept));
  std::copy(outer.begin(), outer.end(), g.links.outerIndexPtr());
  std::copy(sources.begin(), sources.end(), g.links.innerIndexPtr());
  double* values = g.links.valuePtr();
  for (std::size_t k = 0; k < kept; ++k) {
    values[k] = g.out_weight[static_cast<std::size_t>(sources[k])];
  }
  return g;
}

graph_view view_of(const link_graph& graph) {
  const link_matrix& m = graph.links;
  return {graph.ids,
          Eigen::Map<const link_matrix>(m.rows(), m.cols(), m.nonZeros(), m.outerIndexPtr(),
                                        m.innerIndexPtr(), m.valuePtr()),
          graph.dangling, graph.out_weight};
}

}  // namespace pagerank_app
