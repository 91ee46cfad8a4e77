// PageRank's parallel efficiency measured within one launch: serial and 2-rank iterations take
// turns in short blocks, so that both sides run in the same minute of the machine (turns.hpp says
// why and what is printed).
//
// Each round runs, in this order:
//   - the serial loop on rank 0 (bench_pagerank_serial's, serial_pagerank.hpp) while the other
//     ranks wait in a barrier;
//   - the same on rank 1, so that each core's serial speed is known;
//   - the same on every rank at once;
//   - pagerank_app::run_pagerank, the app's own iteration (mpimr::fill_and_reduce into node-shared
//     vectors), on every rank.
// Every block starts from 1/n and runs BLOCK iterations; each block's first iteration (which pays
// for page faults and cold caches) is dropped. The link matrix is each rank's own copy, built as
// bench_pagerank_serial builds it (the app shares one copy per node; that made no measurable
// difference in earlier experiments).
// The 2-rank ranks must equal the serial ranks bit for bit after every block, or it exits 1.
// Usage: mpirun -np P bench_pagerank_interleaved SCALE [EDGE_FACTOR=16] [SEED=1] [BLOCK=50]
//        [ROUNDS=20] [SCHEDULE=auto] [SHARED_WEIGHTS_FROM]   (SCHEDULE as the app's --schedule,
//        SHARED_WEIGHTS_FROM as its --shared-weights-from)
#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <vector>

#include "bench_util.hpp"
#include "link_graph.hpp"
#include "power_iteration.hpp"
#include "rmat.hpp"
#include "serial_pagerank.hpp"
#include "turns.hpp"

namespace {

constexpr double damping = 0.85;

/// BLOCK serial iterations from 1/n; appends the times of all but the first to `seconds` and
/// returns the ranks.
std::vector<double> serial_block(const pagerank_app::graph_view& g, std::uint64_t block,
                                 std::vector<double>& seconds) {
  bench::serial_pagerank iteration(g);
  for (std::uint64_t i = 0; i < block; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)iteration.step(damping);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (i > 0) seconds.push_back(took.count());
  }
  return iteration.ranks();
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
                 "usage: {} SCALE(1-30) [EDGE_FACTOR] [SEED] [BLOCK>=2] [ROUNDS] [SCHEDULE] "
                 "[SHARED_WEIGHTS_FROM]\n",
                 argv[0]);
    }
    return 2;
  }
  const auto schedule = bench::schedule_arg(argc, argv, 6, mpimr::schedule::automatic, ctx.rank());
  if (!schedule) return 2;
  const auto shared_weights_from =
      bench::count_arg(argc, argv, 7, pagerank_app::default_shared_weights_from);
  if (!shared_weights_from) return 2;

  const pagerank_app::link_graph built = pagerank_app::build_link_graph(
      pagerank_app::generate_rmat(static_cast<unsigned>(*scale), *edge_factor, *seed));
  const pagerank_app::graph_view g = pagerank_app::view_of(built);
  const pagerank_app::pagerank_settings settings{.damping = damping,
                                                 .tolerance = 0,
                                                 .max_iterations = *block,
                                                 .schedule = *schedule,
                                                 .shared_weights_from = *shared_weights_from};

  std::vector<double> expected;
  bool same_bits = true;
  const bench::turn_times times = bench::take_turns(
      MPI_COMM_WORLD, *rounds,
      [&](std::vector<double>& seconds) { expected = serial_block(g, *block, seconds); },
      [&](std::vector<double>& seconds) {
        const pagerank_app::pagerank_result result = pagerank_app::run_pagerank(ctx, g, settings);
        seconds.insert(seconds.end(), result.seconds.begin() + 1, result.seconds.end());
        same_bits = same_bits && result.rank == expected;  // this rank's block of this round
      });

  int all_same = same_bits ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_same, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  if (all_same == 0) {
    if (ctx.rank() == 0) {
      fmt::print(stderr, "{}: the ranks at {} ranks differ from the serial ranks\n", argv[0],
                 ctx.size());
    }
    return 1;
  }
  bench::print_turns(MPI_COMM_WORLD, times);
  if (ctx.rank() != 0) return 0;
  fmt::print(
      "vertices {}\nedges {}\nranks {}\nblock {}\nrounds {}\nschedule {}\n"
      "shared_weights_from {}\n",
      g.ids.size(), g.links.nonZeros(), ctx.size(), *block, *rounds, mpimr::to_string(*schedule),
      *shared_weights_from);
  return 0;
}
