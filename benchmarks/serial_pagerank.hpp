// PageRank's power iteration in one process, no MPI and no mpimr operation: the serial baseline of
// apps/pagerank (bench_pagerank_serial, bench_pagerank_interleaved). Each iteration runs the app's
// own weigh_ranks and sweep_rows over all rows, the loop the app runs per chunk: a fused pass (new
// ranks, L1 change and dangling rank together) that is faster than Eigen's `links * x` followed
// by vector expressions for the two sums, so the parallel efficiency measured against it is not
// flattered by a slow baseline.
#pragma once

#include <cstdint>
#include <vector>

#include "link_graph.hpp"
#include "row_sweep.hpp"

namespace bench {

class serial_pagerank {
 public:
  /// Every rank starts at 1/n. `graph` must outlive this object.
  explicit serial_pagerank(const pagerank_app::graph_view& graph)
      : graph_(graph),
        x_(graph.ids.size(), 1.0 / static_cast<double>(graph.ids.size())),
        weighted_(x_.size()),
        next_(x_.size()),
        dangling_(pagerank_app::initial_dangling(graph)) {}

  /// One iteration; returns its sums (the L1 change and the new dangling rank).
  pagerank_app::iteration_sums step(double damping) {
    const double share = pagerank_app::uniform_share(x_.size(), damping, dangling_);
    pagerank_app::weigh_ranks(graph_, x_, 0, weighted_);
    const pagerank_app::iteration_sums sums =
        pagerank_app::sweep_rows(graph_, x_, weighted_, damping, share, 0, next_);
    x_.swap(next_);
    dangling_ = sums.dangling.value();
    return sums;
  }

  [[nodiscard]] const std::vector<double>& ranks() const noexcept { return x_; }

 private:
  pagerank_app::graph_view graph_;
  std::vector<double> x_;
  std::vector<double> weighted_;
  std::vector<double> next_;
  double dangling_;
};

}  // namespace bench
