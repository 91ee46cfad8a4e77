// kmeans: k-means clustering (Lloyd's algorithm from k-means++ seeds) of points read from a CSV
// file or generated as Gaussian blobs. Each iteration is one deterministic mpimr::reduce of
// per-cluster sums and counts, so every output is the same bits at any rank count and schedule.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../common/app_support.hpp"
#include "../common/iteration_times.hpp"
#include "../common/output_path.hpp"
#include "../common/parse_real.hpp"
#include "lloyd.hpp"
#include "points.hpp"
#include "seeding.hpp"

namespace {

struct generation {
  std::uint64_t points = 0;
  std::uint64_t dims = 2;
  std::uint64_t blobs = 0;
  double spread = 1.0;
};

struct settings {
  std::optional<std::string> input;
  std::optional<generation> generate;
  std::uint64_t k = 0;
  std::uint64_t seed = 1;
  kmeans_app::lloyd_settings lloyd;
  std::optional<std::string> centroids_file;
  std::optional<std::string> assignments_file;
  std::optional<std::string> initial_file;
  std::optional<std::string> points_file;
  bool verbose = false;
  app::checkpoint_request checkpoint;
};

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::string input;
  std::string k_text;
  std::string seed_text = "1";
  std::string iterations_text = "300";
  std::string tolerance_text = "0";
  std::string generate_text;
  std::string dims_text = "2";
  std::string blobs_text;
  std::string spread_text = "1";
  std::string chunk_text = "0";
  std::string schedule_text = "auto";
  std::string centroids_file;
  std::string assignments_file;
  std::string initial_file;
  std::string points_file;
  bool verbose = false;
  CLI::App app{
      "Clusters points into K groups by k-means: k-means++ seeds drawn with --seed, then Lloyd "
      "iterations (assign each point to its nearest centroid, move each centroid to the mean of "
      "its points) until no centroid moves farther than --tolerance or --max-iterations have run. "
      "A cluster left without points keeps its centroid. Points come from a CSV file (numbers "
      "separated by commas, the same count on each line; the first line is a header when none of "
      "its fields is a number) or from --generate. One rank per node reads the file; the ranks of "
      "a node share the points.",
      "kmeans"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("points", input, "CSV file of points, one per line")->type_name("FILE");
  app.add_option("--clusters,-k", k_text, "Number of clusters K (1 to the number of points)")
      ->type_name("K")
      ->required();
  app.add_option("--seed", seed_text, "Seed of the k-means++ draws (and of --generate)")
      ->type_name("S")
      ->capture_default_str();
  app.add_option("--max-iterations", iterations_text, "Most Lloyd iterations to run")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--tolerance", tolerance_text,
                 "Converged once no centroid moves farther than this in an iteration (0: until "
                 "the assignment no longer changes)")
      ->type_name("T")
      ->capture_default_str();
  app.add_option("--generate", generate_text, "Cluster N generated points instead of a file")
      ->type_name("N");
  app.add_option("--dims", dims_text, "Dimensions of the generated points")
      ->type_name("D")
      ->capture_default_str();
  app.add_option("--blobs", blobs_text,
                 "Gaussian blobs the points are generated around, centres uniform in "
                 "[-10, 10]^D (default: K)")
      ->type_name("B");
  app.add_option("--spread", spread_text, "Standard deviation of each generated blob")
      ->type_name("S")
      ->capture_default_str();
  app.add_option("--centroids", centroids_file, "Write the final centroids as CSV to FILE")
      ->type_name("FILE");
  app.add_option("--assignments", assignments_file,
                 "Write each point's cluster (0 to K-1, in input order) as CSV to FILE")
      ->type_name("FILE");
  app.add_option("--initial-centroids", initial_file,
                 "Write the k-means++ seeds as CSV to FILE (cluster j starts from row j)")
      ->type_name("FILE");
  app.add_option("--write-points", points_file, "Write the points (read or generated) to FILE")
      ->type_name("FILE");
  app.add_option("--chunk-size", chunk_text,
                 "Points per unit of work; 0: about 1024, all chunks of one size (10^4 points: 10 "
                 "chunks of 1000)")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How chunks go to ranks: auto, static, dynamic, guided or adaptive. auto means "
                 "adaptive for the iterations: one block of points per rank as static, but the "
                 "blocks' bounds follow each rank's measured time from one iteration to the next "
                 "(cores of unequal speed)")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_flag("--verbose", verbose, "Print the inertia and centroid shift of every iteration");
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "kmeans: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "kmeans")) {
    return {std::nullopt, *exit_code};
  }

  constexpr std::uint64_t no_limit = UINT64_MAX;
  s.verbose = verbose;
  const bool generated = app.count("--generate") != 0;
  if (app.count("points") != 0 && generated) {
    return fail(fmt::format("give a CSV file ('{}') or --generate, not both", input));
  }
  if (app.count("points") == 0 && !generated)
    return fail("give a CSV file of points or --generate N");
  if (auto bad = app::check_count("--clusters", k_text, 1'000'000, false, s.k)) return fail(*bad);
  if (auto bad = app::check_count("--seed", seed_text, no_limit, true, s.seed)) return fail(*bad);
  if (auto bad = app::check_count("--max-iterations", iterations_text, no_limit, true,
                                  s.lloyd.max_iterations)) {
    return fail(*bad);
  }
  if (auto bad = app::check_real("--tolerance", tolerance_text, s.lloyd.tolerance)) {
    return fail(*bad);
  }
  if (s.lloyd.tolerance < 0) {
    return fail(fmt::format("--tolerance: value '{}' must not be negative", tolerance_text));
  }
  if (auto bad = app::check_count("--chunk-size", chunk_text, std::uint64_t{1} << 40U, true,
                                  s.lloyd.chunk_size)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, s.lloyd.schedule)) return fail(*bad);
  if (generated) {
    generation g;
    if (auto bad = app::check_count("--generate", generate_text, 1'000'000'000, false, g.points)) {
      return fail(*bad);
    }
    if (auto bad = app::check_count("--dims", dims_text, 100'000, false, g.dims)) return fail(*bad);
    g.blobs = s.k;
    if (app.count("--blobs") != 0) {
      if (auto bad = app::check_count("--blobs", blobs_text, 1'000'000, false, g.blobs)) {
        return fail(*bad);
      }
    }
    if (auto bad = app::check_real("--spread", spread_text, g.spread)) return fail(*bad);
    if (g.spread < 0) {
      return fail(fmt::format("--spread: value '{}' must not be negative", spread_text));
    }
    if (g.points * g.dims > 2'000'000'000) {
      return fail(
          fmt::format("--generate {} --dims {}: more than 2e9 values", generate_text, dims_text));
    }
    s.generate = g;
  } else {
    for (const char* option : {"--dims", "--blobs", "--spread"}) {
      if (app.count(option) != 0)
        return fail(fmt::format("{} applies only with --generate", option));
    }
    if (input.empty()) return fail("the points file name is empty");
    s.input = input;
  }
  struct output {
    const char* option;
    const std::string& name;
    std::optional<std::string>& target;
  };
  for (const output& o : {output{"--centroids", centroids_file, s.centroids_file},
                          output{"--assignments", assignments_file, s.assignments_file},
                          output{"--initial-centroids", initial_file, s.initial_file},
                          output{"--write-points", points_file, s.points_file}}) {
    if (app.count(o.option) == 0) continue;
    // Checked before any work, so that a typo does not cost a whole run.
    if (auto bad = app::check_output_path(o.option, o.name)) return fail(*bad);
    o.target = o.name;
  }
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

/// The points, held once per node (mpimr::shared_array): generated by the node's ranks together,
/// or read by one rank per node (the file must be visible to every node at the same path).
struct node_points {
  mpimr::shared_array<double> values;  // point after point, `dims` values each
  Eigen::Index dims = 0;
  std::vector<std::string> names;  // column names from the header line; empty without one

  [[nodiscard]] Eigen::Map<const Eigen::MatrixXd> coords() const {
    return {values.data(), dims, static_cast<Eigen::Index>(values.size()) / dims};
  }
};

/// Fills `part`, values first .. first + part.size() - 1 of the generated points (point after
/// point), in place: a rank's share need not start or end at a point boundary, so the points it
/// cuts are made in a small buffer and only their overlap copied.
void generate_share(std::span<double> part, std::uint64_t first, const generation& g,
                    std::uint64_t seed) {
  if (part.empty()) return;
  const std::uint64_t d = g.dims;
  const std::uint64_t end = first + part.size();
  const std::uint64_t whole_begin = (first + d - 1) / d;  // the first point wholly inside
  const std::uint64_t whole_end = end / d;
  if (whole_begin < whole_end) {
    kmeans_app::generate_blob_points(
        part.subspan(whole_begin * d - first, (whole_end - whole_begin) * d), whole_begin, d,
        g.blobs, g.spread, seed);
  }
  std::vector<double> one(d);
  const auto cut_point = [&](std::uint64_t p) {
    kmeans_app::generate_blob_points(one, p, d, g.blobs, g.spread, seed);
    const std::uint64_t lo = std::max(p * d, first);
    const std::uint64_t hi = std::min(p * d + d, end);
    std::copy(one.begin() + static_cast<std::ptrdiff_t>(lo - p * d),
              one.begin() + static_cast<std::ptrdiff_t>(hi - p * d),
              part.begin() + static_cast<std::ptrdiff_t>(lo - first));
  };
  if (first % d != 0) cut_point(first / d);
  if (end % d != 0 && (end / d != first / d || first % d == 0)) cut_point(end / d);
}

node_points load_points(mpimr::context& ctx, const settings& s) {
  node_points points;
  if (s.generate) {
    const auto& g = *s.generate;
    points.dims = static_cast<Eigen::Index>(g.dims);
    points.values = mpimr::shared_array<double>(ctx, g.points * g.dims,
                                                [&](std::span<double> part, std::uint64_t first) {
                                                  generate_share(part, first, g, s.seed);
                                                });
    return points;
  }
  std::uint64_t dims = 0;
  // An input_error on a node's reading rank fails every rank with its message.
  points.values = mpimr::shared_array<double>::from_node_leader(ctx, [&] {
    kmeans_app::point_set read = kmeans_app::read_points_csv(*s.input);
    dims = static_cast<std::uint64_t>(read.coords.rows());
    points.names = std::move(read.names);
    return std::vector<double>(read.coords.data(), read.coords.data() + read.coords.size());
  });
  // Rank 0 read the file too: its dimensions and header are everyone's.
  mpimr::broadcast(ctx, dims);
  mpimr::broadcast(ctx, points.names);
  points.dims = static_cast<Eigen::Index>(dims);
  return points;
}

/// Writes the requested files on rank 0, each whole or not at all; none is committed unless all
/// could be written.
void write_outputs(const settings& s, const node_points& points, const Eigen::MatrixXd& initial,
                   const Eigen::MatrixXd& centroids,
                   const std::vector<kmeans_app::assignment>& assignments) {
  std::vector<std::unique_ptr<mpimr::atomic_file>> files;
  // `make` runs only for a file that was asked for: the points' CSV alone is about 48 bytes per
  // coordinate (it was once built on every run, and thrown away: 755 MB for 2e6 points of 8).
  auto write = [&](const std::optional<std::string>& path, auto make) {
    if (!path) return;
    files.push_back(std::make_unique<mpimr::atomic_file>(*path));
    files.back()->write(make());
  };
  write(s.initial_file, [&] { return kmeans_app::columns_csv(initial, points.names); });
  write(s.centroids_file, [&] { return kmeans_app::columns_csv(centroids, points.names); });
  write(s.assignments_file, [&] {
    std::string text = "cluster\n";
    text.reserve(assignments.size() * 3);
    for (const auto& a : assignments) fmt::format_to(std::back_inserter(text), "{}\n", a.cluster);
    return text;
  });
  write(s.points_file, [&] { return kmeans_app::columns_csv(points.coords(), points.names); });
  for (auto& f : files) f->commit();
}

/// What the clustering depends on: the points themselves (a file may change between runs), K, the
/// seeds' draws, the stopping rule and the chunk size (the deterministic sums join partials along a
/// tree over chunks). Not the schedule or the output files.
app::job_key key_of(const settings& s, const node_points& points) {
  const Eigen::Map<const Eigen::MatrixXd> coords = points.coords();
  app::job_key key("kmeans");
  key.add_data("points",
               std::as_bytes(std::span(coords.data(), static_cast<std::size_t>(coords.size()))))
      .add("dimensions", static_cast<std::uint64_t>(coords.rows()))
      .add("clusters", s.k)
      .add("seed", s.seed)
      .add("max-iterations", s.lloyd.max_iterations)
      .add("tolerance", s.lloyd.tolerance)
      .add("chunk-size",
           kmeans_app::chunk_size_for(s.lloyd, static_cast<std::uint64_t>(coords.cols())));
  return key;
}

int run(mpimr::context& ctx, const settings& s) {
  const node_points points = load_points(ctx, s);
  const Eigen::Map<const Eigen::MatrixXd> coords = points.coords();
  const auto n = static_cast<std::uint64_t>(coords.cols());
  if (s.k > n) {
    throw mpimr::invalid_argument(
        fmt::format("--clusters {} exceeds the number of points ({})", s.k, n));
  }
  // Every iteration's reduce and the final assignment are journaled; the centroids between
  // iterations are not, but a rerun recomputes them from the journaled sums, bit for bit.
  app::job_checkpoint journal(ctx, s.checkpoint, key_of(s, points));
  const auto start = std::chrono::steady_clock::now();
  const Eigen::MatrixXd initial = kmeans_app::kmeans_plus_plus(coords, s.k, s.seed);
  // The iterations alone, for the time per iteration (benchmarks/run_numeric_benchmark.sh).
  const auto lloyd_start = std::chrono::steady_clock::now();
  const auto result = kmeans_app::run_lloyd(ctx, coords, initial, s.lloyd);
  const std::chrono::duration<double> lloyd_elapsed =
      std::chrono::steady_clock::now() - lloyd_start;
  const auto assignments = kmeans_app::assign_points(ctx, coords, result.centroids, s.lloyd);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();
  journal.finish([&] { write_outputs(s, points, initial, result.centroids, assignments); });
  if (ctx.rank() != 0) return 0;

  // In point order, on one rank: the same bits at any rank count.
  double inertia = 0;
  std::vector<std::uint64_t> sizes(s.k, 0);
  for (const auto& a : assignments) {
    inertia += a.distance;
    ++sizes[static_cast<std::size_t>(a.cluster)];
  }
  std::uint64_t empty = 0;
  for (const auto size : sizes) empty += size == 0 ? 1 : 0;

  if (s.verbose) {
    for (std::size_t i = 0; i < result.inertia.size(); ++i) {
      fmt::print("iteration {} inertia {:.17g} shift {:.3e}\n", i + 1, result.inertia[i],
                 result.shift[i]);
    }
  }
  fmt::print("points          {}\n", n);
  fmt::print("dimensions      {}\n", coords.rows());
  fmt::print("clusters        {}\n", s.k);
  fmt::print("iterations      {}\n", result.iterations);
  fmt::print("converged       {}\n", result.converged ? "yes" : "no");
  fmt::print("inertia         {:.17g}\n", inertia);
  fmt::print("last_shift      {:.3e}\n", result.last_shift);
  fmt::print("empty_clusters  {}\n", empty);
  fmt::print("seed            {}\n", s.seed);
  fmt::print("chunk_size      {}\n", result.chunk_size);
  fmt::print("schedule        {}\n", mpimr::to_string(result.schedule));
  fmt::print("ranks           {}\n", ctx.size());
  fmt::print("wall_seconds    {:.6f}\n", elapsed.count());
  fmt::print("lloyd_seconds   {:.6f}\n", lloyd_elapsed.count());
  app::print_iteration_times(result.seconds);
  if (resumed) fmt::print("resumed_chunks  {}\n", *resumed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("kmeans", argc, argv, parse_arguments, run);
}
