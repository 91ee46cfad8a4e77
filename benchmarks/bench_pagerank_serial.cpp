// Serial baseline for the PageRank benchmark: the same algorithm as apps/pagerank (power iteration,
// dangling rank spread evenly, the same R-MAT graph and Eigen link matrix) in one process
// (serial_pagerank.hpp). Prints the app's summary lines; iteration_seconds is the median
// iteration, as the app reports it.
// Usage: bench_pagerank_serial SCALE [EDGE_FACTOR=16] [SEED=1] [MAX_ITERATIONS=20] [TOLERANCE=0]
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "../apps/common/iteration_times.hpp"
#include "link_graph.hpp"
#include "rmat.hpp"
#include "serial_pagerank.hpp"

namespace {

std::uint64_t argument(int argc, char** argv, int index, std::uint64_t fallback) {
  return argc > index ? std::strtoull(argv[index], nullptr, 10) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: {} SCALE [EDGE_FACTOR] [SEED] [MAX_ITERATIONS] [TOLERANCE]\n",
               argv[0]);
    return 2;
  }
  const auto scale = static_cast<unsigned>(argument(argc, argv, 1, 0));
  const std::uint64_t edge_factor = argument(argc, argv, 2, 16);
  const std::uint64_t seed = argument(argc, argv, 3, 1);
  const std::uint64_t max_iterations = argument(argc, argv, 4, 20);
  const double tolerance = argc > 5 ? std::strtod(argv[5], nullptr) : 0.0;
  if (scale < 1 || scale > 30 || edge_factor < 1 || max_iterations < 1) {
    fmt::print(stderr, "{}: bad arguments\n", argv[0]);
    return 2;
  }
  const double d = 0.85;

  const auto setup_start = std::chrono::steady_clock::now();
  const pagerank_app::link_graph built =
      pagerank_app::build_link_graph(pagerank_app::generate_rmat(scale, edge_factor, seed));
  const pagerank_app::graph_view g = pagerank_app::view_of(built);
  const double setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  const std::size_t n = g.ids.size();

  bench::serial_pagerank iteration(g);
  std::uint64_t iterations = 0;
  double change = 0;
  bool converged = false;
  std::vector<double> seconds;  // each iteration's
  const auto start = std::chrono::steady_clock::now();
  auto iteration_start = start;
  while (iterations < max_iterations) {
    change = iteration.step(d).change.value();
    ++iterations;
    const auto now = std::chrono::steady_clock::now();
    seconds.push_back(std::chrono::duration<double>(now - iteration_start).count());
    iteration_start = now;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  const double loop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<double>& x = iteration.ranks();

  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto top = std::min<std::ptrdiff_t>(10, static_cast<std::ptrdiff_t>(n));
  std::partial_sort(
      order.begin(), order.begin() + top, order.end(),
      [&](std::size_t a, std::size_t b) { return x[a] != x[b] ? x[a] > x[b] : a < b; });
  fmt::print("vertices        {}\n", n);
  fmt::print("edges           {}\n", g.links.nonZeros());
  fmt::print("iterations      {}\n", iterations);
  fmt::print("converged       {}\n", converged ? "yes" : "no");
  fmt::print("l1_change       {:.17g}\n", change);
  double sum = 0;  // in vertex order, as the app sums
  for (const double r : x) sum += r;
  fmt::print("rank_sum        {:.17g}\n", sum);
  fmt::print("setup_seconds   {:.6f}\n", setup_seconds);
  fmt::print("loop_seconds    {:.6f}\n", loop_seconds);
  app::print_iteration_times(seconds);  // as apps/pagerank prints them
  for (std::ptrdiff_t k = 0; k < top; ++k) {
    const auto v = order[static_cast<std::size_t>(k)];
    fmt::print("top {} {:.17g}\n", g.ids[static_cast<std::size_t>(v)], x[v]);
  }
  return 0;
}
