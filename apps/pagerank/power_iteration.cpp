// The power iteration (see power_iteration.hpp).
#include "power_iteration.hpp"

#include <algorithm>
#include <chrono>
#include <span>
#include <utility>

#include "row_sweep.hpp"

namespace pagerank_app {

std::uint64_t default_chunk_size(std::uint64_t vertices) {
  return std::max<std::uint64_t>(256, (vertices + 1023) / 1024);
}

pagerank_result run_pagerank(mpimr::context& ctx, const graph_view& graph,
                             const pagerank_settings& settings) {
  const std::uint64_t n = graph.ids.size();
  const double d = settings.damping;
  pagerank_result out;
  out.chunk_size = settings.chunk_size != 0 ? settings.chunk_size : default_chunk_size(n);
  // auto means adaptive: one block of rows per rank, as static blocks, so that each rank reads the
  // same rows of the matrix every iteration (dynamic scheduling lost that locality: 1.68-1.81 ms
  // against 1.49-1.56 ms static per iteration at scale 17 on 2 ranks) and across nodes each node's
  // new ranks are few runs of rows. The bounds follow the ranks' measured times: on a machine
  // whose cores run at unequal speeds, static blocks wait for the slower core every iteration.
  out.schedule = settings.schedule == mpimr::schedule::automatic ? mpimr::schedule::adaptive
                                                                 : settings.schedule;
  const mpimr::options options{.schedule = out.schedule, .chunk_size = out.chunk_size};
  // The old and new rank vectors exist once per node (mpimr::shared_array): each rank writes its
  // rows of `next` into the node's one copy, so on one node nothing is exchanged per iteration and
  // the ranks only wait for each other; across nodes each node's rows travel once per node. The
  // sweep reads `x` and `weighted` (below), which nobody writes during it; the two rank vectors
  // swap after each iteration, and `weighted` is refilled from the new `x` in a collective that
  // ends once every rank of the node has written its share.
  const auto start_everywhere = [n](std::span<double> part, std::uint64_t) {
    std::fill(part.begin(), part.end(), 1.0 / static_cast<double>(n));
  };
  mpimr::shared_array<double> x(ctx, n, start_everywhere);
  mpimr::shared_array<double> next(ctx, n, [](std::span<double>, std::uint64_t) {});
  // The sweep's random reads go to the weighted ranks, x_j / outdegree(j) for every vertex
  // (weigh_ranks), computed after each iteration by a sequential pass over the new `x`: on small
  // graphs into a vector of each rank's own, where the sweep finds them without asking another core
  // for a line it has just written; from settings.shared_weights_from vertices on into a third
  // node-shared vector, which the ranks of each node refill together, each its share (nothing
  // crosses nodes: each node derives it from its own `x`), so that the ranks' random reads share
  // one copy in the last-level cache (default_shared_weights_from says what was measured).
  const bool per_node = n >= settings.shared_weights_from;
  const auto weigh = [&](std::span<double> part, std::uint64_t first) {
    weigh_ranks(graph, x.span(), first, part);
  };
  std::vector<double> own_weighted(per_node ? 0 : n);
  mpimr::shared_array<double> node_weighted;
  const auto refresh_weighted = [&] {
    if (per_node) {
      node_weighted.refill(ctx, weigh);
    } else {
      weigh(own_weighted, 0);
    }
  };
  if (per_node) {
    node_weighted = mpimr::shared_array<double>(ctx, n, weigh);
  } else {
    refresh_weighted();
  }
  const std::span<const double> weighted =
      per_node ? node_weighted.span() : std::span<const double>(own_weighted);

  // One sweep per iteration: each chunk of rows computes its vertices' new ranks into `next` and,
  // while they are in cache, its share of two sums the next steps need, the L1 change and the new
  // rank held by dangling vertices; mpimr::fill_and_reduce joins the sums. Done after the sweep
  // instead, both sums would be O(n) passes that every rank repeats over the whole vector, work
  // that does not shrink with more ranks. The sums are exact (exact_sum), so the ranks have the
  // same bits at every rank count, schedule and chunk size.
  double dangling = initial_dangling(graph);
  const auto start = std::chrono::steady_clock::now();
  auto iteration_start = start;
  while (out.iterations < settings.max_iterations) {
    const double share = uniform_share(n, d, dangling);
    const std::span<const double> old_ranks = x.span();
    const iteration_sums sums = mpimr::fill_and_reduce(
        ctx, mpimr::index_range{0, n}, next, iteration_sums{},
        [&](const mpimr::chunk& c, std::span<double> rows) {
          return sweep_rows(graph, old_ranks, weighted, d, share, c.begin, rows);
        },
        [](iteration_sums left, const iteration_sums& right) { return left += right; }, options);
    std::swap(x, next);
    refresh_weighted();
    dangling = sums.dangling.value();
    ++out.iterations;
    const auto now = std::chrono::steady_clock::now();
    out.seconds.push_back(std::chrono::duration<double>(now - iteration_start).count());
    iteration_start = now;
    out.l1_change = sums.change.value();
    if (out.l1_change < settings.tolerance) {
      out.converged = true;
      break;
    }
  }
  out.loop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.rank.assign(x.begin(), x.end());
  return out;
}

}  // namespace pagerank_app
