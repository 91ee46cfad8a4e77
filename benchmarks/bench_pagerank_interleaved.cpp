// PageRank's parallel efficiency measured within one launch: serial and 2-rank iterations take
// turns in short blocks, so that both sides run in the same minute of the machine. On this
// project's machine (a 2-vCPU VM) the speed of a core drifts by up to 1.6x over seconds and differs
// between the two cores, so separate launches seconds apart (run_numeric_benchmark.sh's serial and
// mpimr kinds) compare different machines as often as different programs.
//
// Each round runs, in this order:
//   - the serial loop on rank 0 (bench_pagerank_serial's loop: one sweep_rows over all rows per
//     iteration, private vectors) while the other ranks wait in a barrier;
//   - the same on rank 1, so that each core's serial speed is known;
//   - pagerank_app::run_pagerank, the app's own iteration (mpimr::fill_and_reduce into node-shared
//     vectors), on every rank.
// Every block starts from 1/n and runs BLOCK iterations; each block's first iteration (which pays
// for page faults and cold caches) is dropped. The link matrix is each rank's own copy, built as
// bench_pagerank_serial builds it (the app shares one copy per node; that made no measurable
// difference in earlier experiments).
//
// After the rounds, rank 0 prints the medians of the per-iteration times and
//   efficiency = ideal / parallel, ideal = 1 / (1 / serial_core0 + ... + 1 / serial_coreP-1),
// the time the ranks' cores would take together if the work split perfectly by their measured
// serial speeds. With cores of equal speed this is serial / (P x parallel), the usual definition.
// The 2-rank ranks must equal the serial ranks bit for bit after every block, or it exits 1.
// Usage: mpirun -np P bench_pagerank_interleaved SCALE [EDGE_FACTOR=16] [SEED=1] [BLOCK=50]
//        [ROUNDS=20] [SCHEDULE=auto]   (SCHEDULE as the app's --schedule)
#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <vector>

#include "bench_util.hpp"
#include "link_graph.hpp"
#include "power_iteration.hpp"
#include "rmat.hpp"
#include "row_sweep.hpp"

namespace {

constexpr double damping = 0.85;

/// BLOCK serial iterations from 1/n; appends the times of all but the first to `seconds` and
/// returns the ranks.
std::vector<double> serial_block(const pagerank_app::graph_view& g, std::uint64_t block,
                                 std::vector<double>& seconds) {
  const std::size_t n = g.ids.size();
  std::vector<double> x(n, 1.0 / static_cast<double>(n));
  std::vector<double> next(n);
  double dangling = pagerank_app::initial_dangling(g);
  for (std::uint64_t i = 0; i < block; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const double share = pagerank_app::uniform_share(n, damping, dangling);
    dangling = pagerank_app::sweep_rows(g, x, damping, share, 0, next).dangling.value();
    x.swap(next);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (i > 0) seconds.push_back(took.count());
  }
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  ctx.set_reporting(false);  // as the apps run without --report
  const auto scale = bench::count_arg(argc, argv, 1, 0);
  const auto edge_factor = bench::count_arg(argc, argv, 2, 16);
  const auto seed = bench::count_arg(argc, argv, 3, 1);
  const auto block = bench::count_arg(argc, argv, 4, 50);
  const auto rounds = bench::count_arg(argc, argv, 5, 20);
  if (!scale || !edge_factor || !seed || !block || !rounds) return 2;
  if (argc < 2 || *scale > 30 || *block < 2) {
    if (ctx.rank() == 0) {
      fmt::print(stderr,
                 "usage: {} SCALE(1-30) [EDGE_FACTOR] [SEED] [BLOCK>=2] [ROUNDS] [SCHEDULE]\n",
                 argv[0]);
    }
    return 2;
  }
  mpimr::schedule schedule = mpimr::schedule::automatic;
  try {
    if (argc > 6) schedule = mpimr::parse_schedule(argv[6]);
  } catch (const mpimr::invalid_argument& e) {
    if (ctx.rank() == 0) fmt::print(stderr, "{}: {}\n", argv[0], e.what());
    return 2;
  }

  const pagerank_app::link_graph built = pagerank_app::build_link_graph(
      pagerank_app::generate_rmat(static_cast<unsigned>(*scale), *edge_factor, *seed));
  const pagerank_app::graph_view g = pagerank_app::view_of(built);
  const pagerank_app::pagerank_settings settings{
      .damping = damping, .tolerance = 0, .max_iterations = *block, .schedule = schedule};

  std::vector<std::vector<double>> serial_seconds(static_cast<std::size_t>(ctx.size()));
  std::vector<double> pair_seconds;  // this rank's, while every rank ran its serial loop
  std::vector<double> parallel_seconds;
  std::vector<double> expected;
  bool same_bits = true;
  for (std::uint64_t round = 0; round < *rounds; ++round) {
    for (int core = 0; core < ctx.size(); ++core) {
      MPI_Barrier(MPI_COMM_WORLD);
      if (ctx.rank() == core) {
        expected = serial_block(g, *block, serial_seconds[static_cast<std::size_t>(core)]);
      }
      MPI_Barrier(MPI_COMM_WORLD);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    static_cast<void>(serial_block(g, *block, pair_seconds));  // every rank at once
    MPI_Barrier(MPI_COMM_WORLD);
    const pagerank_app::pagerank_result result = pagerank_app::run_pagerank(ctx, g, settings);
    parallel_seconds.insert(parallel_seconds.end(), result.seconds.begin() + 1,
                            result.seconds.end());
    same_bits = same_bits && result.rank == expected;  // this rank's block of this round
  }

  // Rank r measured core r's serial times: gather their medians on rank 0.
  const double mine = bench::median(serial_seconds[static_cast<std::size_t>(ctx.rank())]);
  std::vector<double> serial(static_cast<std::size_t>(ctx.size()));
  MPI_Gather(&mine, 1, MPI_DOUBLE, serial.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  const double mine_paired = bench::median(pair_seconds);
  std::vector<double> paired(serial.size());
  MPI_Gather(&mine_paired, 1, MPI_DOUBLE, paired.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  int all_same = same_bits ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_same, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  if (ctx.rank() != 0) return all_same != 0 ? 0 : 1;
  if (all_same == 0) {
    fmt::print(stderr, "{}: the ranks at {} ranks differ from the serial ranks\n", argv[0],
               ctx.size());
    return 1;
  }
  const double parallel = bench::median(parallel_seconds);
  double speed = 0;         // iterations per second of all cores together, each alone
  double paired_speed = 0;  // the same, all cores busy at once
  for (std::size_t core = 0; core < serial.size(); ++core) {
    fmt::print("serial_core{}_seconds {:.6e}\n", core, serial[core]);
    fmt::print("pair_core{}_seconds {:.6e}\n", core, paired[core]);
    speed += 1 / serial[core];
    paired_speed += 1 / paired[core];
  }
  fmt::print("vertices {}\nedges {}\nranks {}\nblock {}\nrounds {}\nschedule {}\n", g.ids.size(),
             g.links.nonZeros(), ctx.size(), *block, *rounds, mpimr::to_string(schedule));
  fmt::print("parallel_seconds {:.6e}\n", parallel);
  fmt::print("ideal_seconds {:.6e}\n", 1 / speed);
  fmt::print("efficiency {:.4f}\n", 1 / speed / parallel);
  fmt::print("vs_pair {:.4f}\n", 1 / paired_speed / parallel);
  return 0;
}
