// pagerank: PageRank by power iteration on a directed graph read from an edge-list file or
// generated as an R-MAT graph. Rows of the link matrix are split across ranks in chunks; every
// output is the same bits at any rank count, schedule and chunk size.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <limits>
#include <memory>
#include <mpimr/mpimr.hpp>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../common/app_support.hpp"
#include "../common/iteration_times.hpp"
#include "../common/output_path.hpp"
#include "../common/parse_real.hpp"
#include "edges.hpp"
#include "link_graph.hpp"
#include "power_iteration.hpp"
#include "rmat.hpp"

#if defined(__GLIBC__)  // defined by any C library header above
#endif

namespace {

struct rmat_settings {
  unsigned scale = 0;
  std::uint64_t edge_factor = 16;
  std::uint64_t seed = 1;
};

struct settings {
  std::optional<std::string> input;
  std::optional<rmat_settings> rmat;
  pagerank_app::pagerank_settings iteration;
  std::uint64_t top = 10;
  std::optional<std::string> output;
  std::optional<std::string> edges_output;
  app::checkpoint_request checkpoint;
};

// Eigen numbers rows and non-zeros with 32-bit integers.
constexpr std::uint64_t max_edges = std::numeric_limits<std::int32_t>::max();

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::string input;
  std::string scale_text;
  std::string edge_factor_text = "16";
  std::string seed_text = "1";
  std::string damping_text = "0.85";
  std::string tolerance_text = "1e-9";
  std::string iterations_text = "1000";
  std::string top_text = "10";
  std::string output;
  std::string edges_output;
  std::string chunk_text = "0";
  std::string shared_weights_text = std::to_string(pagerank_app::default_shared_weights_from);
  std::string schedule_text = "auto";
  CLI::App app{
      "Ranks the vertices of a directed graph by PageRank, computed by power iteration: from "
      "1/n everywhere, each vertex's new rank is (1 - d)/n plus d times the rank flowing in "
      "along its in-links (each vertex splits its rank evenly over its out-links) and the rank "
      "of the dangling vertices (without out-links), spread evenly over all vertices; until the "
      "ranks change by less than --tolerance in L1. The graph is an edge-list file ('src dst' "
      "per line, non-negative integer ids, '#' comments; a duplicate edge counts once, a "
      "self-loop is an out-link) or an R-MAT graph. One rank per node reads the file and builds "
      "the graph, which the ranks of the node share.",
      "pagerank"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("edges", input, "Edge-list file, one 'src dst' pair per line")->type_name("FILE");
  app.add_option("--rmat-scale", scale_text,
                 "Generate an R-MAT graph on ids below 2^S instead of reading a file (1 to 30)")
      ->type_name("S");
  app.add_option("--edge-factor", edge_factor_text, "R-MAT edges per id: E * 2^S edges in all")
      ->type_name("E")
      ->capture_default_str();
  app.add_option("--seed", seed_text, "Seed of the R-MAT graph")
      ->type_name("SEED")
      ->capture_default_str();
  app.add_option("--damping", damping_text, "Damping factor d, from 0 to 1")
      ->type_name("D")
      ->capture_default_str();
  app.add_option("--tolerance", tolerance_text,
                 "Converged once an iteration changes the ranks by less than this, summed over all "
                 "vertices (0: never; run --max-iterations)")
      ->type_name("T")
      ->capture_default_str();
  app.add_option("--max-iterations", iterations_text, "Most iterations to run")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--top", top_text, "Print the K highest-ranked vertices (ties by id)")
      ->type_name("K")
      ->capture_default_str();
  app.add_option("--output,-o", output, "Write every vertex's rank as CSV 'id,rank' to FILE")
      ->type_name("FILE");
  app.add_option("--write-edges", edges_output,
                 "Write the generated R-MAT edges to FILE as an edge list (reading it back gives "
                 "the same graph)")
      ->type_name("FILE");
  app.add_option("--chunk-size", chunk_text,
                 "Rows (vertices) per unit of work; 0: at least 256, about 1024 chunks")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--shared-weights-from", shared_weights_text,
                 "Vertices from which the ranks of a node share one vector of weighted ranks (each "
                 "vertex's rank over its out-degree, read at random by every row) instead of each "
                 "holding its own: one copy per node leaves more of the last-level cache to the "
                 "random reads of large graphs, one per rank is read faster while it fits in a "
                 "core's cache. The same results either way")
      ->type_name("V")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How chunks of rows go to ranks: auto, static, dynamic, guided or adaptive. auto "
                 "means adaptive: one block of rows per rank as static, the same rows every "
                 "iteration, but the blocks' bounds follow each rank's measured time from one "
                 "iteration to the next (cores of unequal speed, heavy rows that cluster)")
      ->type_name("NAME")
      ->capture_default_str();
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "pagerank: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "pagerank")) {
    return {std::nullopt, *exit_code};
  }

  constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
  const bool generated = app.count("--rmat-scale") != 0;
  if (app.count("edges") != 0 && generated) {
    return fail(fmt::format("give an edge-list file ('{}') or --rmat-scale, not both", input));
  }
  if (app.count("edges") == 0 && !generated) {
    return fail("give an edge-list file or --rmat-scale S");
  }
  if (generated) {
    rmat_settings r;
    std::uint64_t scale = 0;
    if (auto bad = app::check_count("--rmat-scale", scale_text, 30, false, scale)) {
      return fail(*bad);
    }
    r.scale = static_cast<unsigned>(scale);
    if (auto bad =
            app::check_count("--edge-factor", edge_factor_text, max_edges, false, r.edge_factor)) {
      return fail(*bad);
    }
    if (auto bad = app::check_count("--seed", seed_text, no_limit, true, r.seed)) {
      return fail(*bad);
    }
    if ((r.edge_factor << r.scale) > max_edges) {
      return fail(fmt::format("--rmat-scale {} --edge-factor {}: {} edges, more than {}",
                              scale_text, edge_factor_text, r.edge_factor << r.scale, max_edges));
    }
    s.rmat = r;
  } else {
    for (const char* option : {"--edge-factor", "--seed", "--write-edges"}) {
      if (app.count(option) != 0) {
        return fail(fmt::format("{} applies only with --rmat-scale", option));
      }
    }
    if (input.empty()) return fail("the edge-list file name is empty");
    s.input = input;
  }
  auto& it = s.iteration;
  if (auto bad = app::check_real("--damping", damping_text, it.damping)) return fail(*bad);
  if (it.damping < 0 || it.damping > 1) {
    return fail(fmt::format("--damping: value '{}' is not between 0 and 1", damping_text));
  }
  if (auto bad = app::check_real("--tolerance", tolerance_text, it.tolerance)) return fail(*bad);
  if (it.tolerance < 0) {
    return fail(fmt::format("--tolerance: value '{}' must not be negative", tolerance_text));
  }
  if (auto bad = app::check_count("--max-iterations", iterations_text, no_limit, false,
                                  it.max_iterations)) {
    return fail(*bad);
  }
  if (auto bad = app::check_count("--top", top_text, no_limit, true, s.top)) return fail(*bad);
  if (auto bad = app::check_count("--chunk-size", chunk_text, std::uint64_t{1} << 40U, true,
                                  it.chunk_size)) {
    return fail(*bad);
  }
  if (auto bad = app::check_count("--shared-weights-from", shared_weights_text, no_limit, true,
                                  it.shared_weights_from)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, it.schedule)) return fail(*bad);
  if (app.count("--output") != 0) {
    if (auto bad = app::check_output_path("--output", output)) return fail(*bad);
    s.output = output;
  }
  if (app.count("--write-edges") != 0) {
    if (auto bad = app::check_output_path("--write-edges", edges_output)) return fail(*bad);
    s.edges_output = edges_output;
  }
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

/// The link graph, held once per node (mpimr::shared_array): one rank per node reads or generates
/// the edges (a file must be visible to every node at the same path) and builds it, and the
/// node's ranks share its arrays.
struct node_graph {
  mpimr::shared_array<std::uint64_t> ids;
  mpimr::shared_array<std::int32_t> outer;  // the link matrix's row starts, compressed row storage
  mpimr::shared_array<std::int32_t> inner;  // its column indices
  mpimr::shared_array<double> values;
  mpimr::shared_array<std::int32_t> dangling;
  mpimr::shared_array<double> out_weight;
  std::uint64_t input_edges = 0;

  [[nodiscard]] pagerank_app::graph_view view() const {
    const auto n = static_cast<Eigen::Index>(ids.size());
    return {
        ids.span(),
        Eigen::Map<const pagerank_app::link_matrix>(n, n, static_cast<Eigen::Index>(inner.size()),
                                                    outer.data(), inner.data(), values.data()),
        dangling.span(), out_weight.span()};
  }
};

/// The graph of the input, built by the calling rank; `kept` gets the edges when --write-edges
/// asks for them on rank 0. Throws input_error naming the input.
pagerank_app::link_graph build_graph(const mpimr::context& ctx, const settings& s,
                                     std::vector<pagerank_app::edge>& kept) {
  std::vector<pagerank_app::edge> edges =
      s.rmat ? pagerank_app::generate_rmat(s.rmat->scale, s.rmat->edge_factor, s.rmat->seed)
             : pagerank_app::read_edge_file(*s.input);
  if (s.edges_output && ctx.rank() == 0) kept = edges;
  try {
    return pagerank_app::build_link_graph(std::move(edges));
  } catch (const pagerank_app::input_error& e) {
    throw pagerank_app::input_error(fmt::format("{}: {}", s.input ? *s.input : "R-MAT", e.what()));
  }
}

/// Collective. An input error on a node's building rank fails every rank with its message.
node_graph load_graph(mpimr::context& ctx, const settings& s,
                      std::vector<pagerank_app::edge>& kept) {
  std::optional<pagerank_app::link_graph> built;  // on one rank per node, until shared
  node_graph g;
  g.ids = mpimr::shared_array<std::uint64_t>::from_node_leader(ctx, [&] {
    built = build_graph(ctx, s, kept);
    g.input_edges = built->input_edges;
    return std::move(built->ids);
  });
  g.outer = mpimr::shared_array<std::int32_t>::from_node_leader(ctx, [&] {
    const auto* p = built->links.outerIndexPtr();
    return std::vector<std::int32_t>(p, p + built->links.rows() + 1);
  });
  g.inner = mpimr::shared_array<std::int32_t>::from_node_leader(ctx, [&] {
    const auto* p = built->links.innerIndexPtr();
    return std::vector<std::int32_t>(p, p + built->links.nonZeros());
  });
  g.values = mpimr::shared_array<double>::from_node_leader(ctx, [&] {
    const auto* p = built->links.valuePtr();
    std::vector<double> values(p, p + built->links.nonZeros());
    built->links = pagerank_app::link_matrix();  // its copy is made: free it before the next
    return values;
  });
  g.dangling = mpimr::shared_array<std::int32_t>::from_node_leader(
      ctx, [&] { return std::move(built->dangling); });
  g.out_weight = mpimr::shared_array<double>::from_node_leader(
      ctx, [&] { return std::move(built->out_weight); });
  mpimr::broadcast(ctx, g.input_edges);  // rank 0 built the graph too
  return g;
}

/// The k highest-ranked vertices, ties by vertex number (that is, by id).
std::vector<std::size_t> top_vertices(const std::vector<double>& rank, std::uint64_t k) {
  std::vector<std::size_t> order(rank.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto count = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(k, rank.size()));
  std::partial_sort(
      order.begin(), order.begin() + count, order.end(),
      [&](std::size_t a, std::size_t b) { return rank[a] != rank[b] ? rank[a] > rank[b] : a < b; });
  order.resize(static_cast<std::size_t>(count));
  return order;
}

/// Writes the requested files on rank 0, each whole or not at all; none is committed unless all
/// could be written.
void write_outputs(const settings& s, const pagerank_app::graph_view& graph,
                   const std::vector<double>& rank, const std::vector<pagerank_app::edge>& edges) {
  std::vector<std::unique_ptr<mpimr::atomic_file>> files;
  if (s.output) {
    files.push_back(std::make_unique<mpimr::atomic_file>(*s.output));
    std::string text = "id,rank\n";
    text.reserve(rank.size() * 32);
    auto sink = std::back_inserter(text);
    for (std::size_t v = 0; v < rank.size(); ++v) {
      fmt::format_to(sink, "{},{:.17g}\n", graph.ids[v], rank[v]);
    }
    files.back()->write(text);
  }
  if (s.edges_output) {
    files.push_back(std::make_unique<mpimr::atomic_file>(*s.edges_output));
    files.back()->write(pagerank_app::edge_list_text(
        edges, pagerank_app::rmat_comment(s.rmat->scale, s.rmat->edge_factor, s.rmat->seed)));
  }
  for (auto& f : files) f->commit();
}

/// What the ranks depend on: the graph itself (a file may change between runs; its vertex ids and
/// the link matrix's pattern, which fix its values) and the iteration's parameters. Not the chunk
/// size or schedule (the same bits with any), --top or the output files.
app::job_key key_of(const settings& s, const pagerank_app::graph_view& graph) {
  const auto& links = graph.links;
  app::job_key key("pagerank");
  key.add_data("ids", std::as_bytes(graph.ids))
      .add_data("rows", std::as_bytes(std::span(links.outerIndexPtr(),
                                                static_cast<std::size_t>(links.rows()) + 1)))
      .add_data("columns", std::as_bytes(std::span(links.innerIndexPtr(),
                                                   static_cast<std::size_t>(links.nonZeros()))))
      .add("damping", s.iteration.damping)
      .add("tolerance", s.iteration.tolerance)
      .add("max-iterations", s.iteration.max_iterations);
  return key;
}

int run(mpimr::context& ctx, const settings& s) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<pagerank_app::edge> kept;  // for --write-edges only, on rank 0
  const node_graph shared = load_graph(ctx, s, kept);
  const pagerank_app::graph_view graph = shared.view();
  const app::job_key key = key_of(s, graph);
  const double setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Opened once the input proved good. Every iteration's sweep is journaled; the rank vector
  // between iterations is not, but a rerun recomputes it from the journaled sweeps, bit for bit.
  // The journal grows by 8 bytes per vertex and 32 bytes of sums per chunk per iteration.
  app::job_checkpoint journal(ctx, s.checkpoint, key);

  const auto result = pagerank_app::run_pagerank(ctx, graph, s.iteration);
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();
  journal.finish([&] { write_outputs(s, graph, result.rank, kept); });
  if (ctx.rank() != 0) return 0;

  double sum = 0;  // in vertex order: the same bits at any rank count
  for (const double r : result.rank) sum += r;
  fmt::print("vertices        {}\n", graph.ids.size());
  fmt::print("edges           {}\n", graph.links.nonZeros());
  fmt::print("input_edges     {}\n", shared.input_edges);
  fmt::print("dangling        {}\n", graph.dangling.size());
  fmt::print("damping         {}\n", s.iteration.damping);
  fmt::print("tolerance       {}\n", s.iteration.tolerance);
  fmt::print("iterations      {}\n", result.iterations);
  fmt::print("converged       {}\n", result.converged ? "yes" : "no");
  fmt::print("l1_change       {:.17g}\n", result.l1_change);
  fmt::print("rank_sum        {:.17g}\n", sum);
  fmt::print("chunk_size      {}\n", result.chunk_size);
  fmt::print("schedule        {}\n", mpimr::to_string(result.schedule));
  fmt::print("ranks           {}\n", ctx.size());
  fmt::print("setup_seconds   {:.6f}\n", setup_seconds);
  fmt::print("loop_seconds    {:.6f}\n", result.loop_seconds);
  app::print_iteration_times(result.seconds);
  if (resumed) fmt::print("resumed_chunks  {}\n", *resumed);
  for (const std::size_t v : top_vertices(result.rank, s.top)) {
    fmt::print("top {} {:.17g}\n", graph.ids[v], result.rank[v]);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("pagerank", argc, argv, parse_arguments, run);
}
