// Where apps/pagerank's time goes at P ranks on one node, without mpimr: what the machine charges
// for splitting the sweep and for the data the ranks must share, told apart from what the
// framework's calls cost (bench_pagerank_interleaved measures the app as a whole).
//
// Each rank takes a block of rows holding 1/P of the links (the blocks the adaptive schedule
// settles on when the cores are equally fast) and times, in rounds, with barriers between steps:
//   alone    the whole serial iteration on one rank at a time while the others wait: the sweep of
//            all rows (sweep_rows) and the weighing of all ranks (weigh_ranks), as
//            bench_pagerank_serial runs them;
//   private  the sweep of its block with every vector its own: nothing shared, nothing written by
//            another core, so only the split itself and the ranks running at once can cost;
//   node     the app's data flow with one node-shared weighted vector: x and next node-shared and
//            swapped each iteration, the sweep of its block, then the refill of its share of the
//            weighted vector (lines the other ranks have just read);
//   node_two the same with two node-shared weighted vectors taking turns, so that a refill
//            overwrites lines the other ranks read an iteration earlier rather than just now;
//   rank     the same with a weighted vector of each rank's own, refilled by weighing all of x
//            (reading the other ranks' rows where they wrote them).
// Rank 0 prints each rank's medians (ms) and, per flow, the slowest rank's sweep + refill against
// the ideal, 1 / (sum over ranks of 1 / (alone sweep + alone weighing)): what P cores of those
// speeds would take for one serial iteration shared perfectly (bench_pagerank_interleaved's ideal).
// The ranks' vectors are not iterated to convergence: every iteration reads the same kind of data,
// and the sums are discarded.
// Usage: mpirun -np P bench_pagerank_halves SCALE [EDGE_FACTOR=16] [SEED=1] [ROUNDS=8]
//        (all ranks on one node)
#include <fmt/core.h>
#include <mpi.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bench_util.hpp"
#include "link_graph.hpp"
#include "rmat.hpp"
#include "row_sweep.hpp"

namespace {

using pagerank_app::graph_view;

constexpr double damping = 0.85;
constexpr double share = 0.1;           // any value: the sums are discarded
constexpr int iterations_per_step = 4;  // the first of each is dropped (caches cold after a switch)

/// Seconds `fn` takes on this rank.
template <class Fn>
double seconds_of(Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// `count` doubles in memory that every rank of `node` maps (rank 0 allocates it), set to `value`.
class node_vector {
 public:
  node_vector(MPI_Comm node, std::size_t count, double value) : count_(count) {
    int rank = 0;
    MPI_Comm_rank(node, &rank);
    const auto bytes = static_cast<MPI_Aint>(rank == 0 ? count * sizeof(double) : 0);
    MPI_Win_allocate_shared(bytes, sizeof(double), MPI_INFO_NULL, node, &data_, &window_);
    MPI_Aint size = 0;
    int unit = 0;
    MPI_Win_shared_query(window_, 0, &size, &unit, &data_);
    if (rank == 0) std::fill(data_, data_ + count, value);
    MPI_Barrier(node);
  }
  node_vector(const node_vector&) = delete;
  node_vector& operator=(const node_vector&) = delete;
  ~node_vector() { MPI_Win_free(&window_); }

  [[nodiscard]] std::span<double> span() const noexcept { return {data_, count_}; }

 private:
  std::size_t count_;
  double* data_ = nullptr;
  MPI_Win window_ = MPI_WIN_NULL;
};

struct step_times {
  std::vector<double> sweep, refill;
};

/// One flow of the app's data (see the file comment): the sweep of rows [begin, end) from x into
/// next, both node-shared and swapped each iteration, reading weighted_at(i) in iteration i, then
/// refill(i, next).
template <class WeightedAt, class Refill>
void run_flow(MPI_Comm node, const graph_view& g, std::span<double> first, std::span<double> second,
              std::uint64_t begin, std::uint64_t end, WeightedAt&& weighted_at, Refill&& refill,
              step_times& times) {
  for (int i = 0; i < iterations_per_step; ++i) {
    const std::span<double> x = i % 2 == 0 ? first : second;
    const std::span<double> next = i % 2 == 0 ? second : first;
    MPI_Barrier(node);
    const double sweep = seconds_of([&] {
      (void)pagerank_app::sweep_rows(g, x, weighted_at(i), damping, share, begin,
                                     next.subspan(begin, end - begin));
    });
    MPI_Barrier(node);
    const double fill = seconds_of([&] { refill(i, std::span<const double>(next)); });
    if (i == 0) continue;
    times.sweep.push_back(sweep);
    times.refill.push_back(fill);
  }
}

/// The flows compared, in the order of the printed columns.
constexpr std::array<const char*, 3> flow_names{"node", "node_two", "rank"};

/// One rank's medians in ms, as gathered on rank 0: its rows, the serial iteration alone, the
/// private sweep, then sweep and refill of each flow.
struct rank_row {
  double begin, end, alone_sweep, alone_weigh, private_sweep;
  std::array<double, 2 * flow_names.size()> flows;
};
static_assert(std::is_trivially_copyable_v<rank_row> && sizeof(rank_row) % sizeof(double) == 0);
constexpr int rank_row_doubles = sizeof(rank_row) / sizeof(double);

/// Rank 0's table of every rank's row, then each flow's slowest rank against the ideal.
void print_table(std::span<const rank_row> rows) {
  fmt::print("rank  rows                alone_sweep alone_weigh private_sweep");
  for (const char* name : flow_names) fmt::print(" {0}_sweep {0}_refill", name);
  fmt::print("   (ms, medians)\n");
  double alone_speed = 0;  // serial iterations per ms, summed over the ranks
  std::array<double, flow_names.size()> slowest{};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const rank_row& row = rows[r];
    fmt::print("{:>4}  {:>8.0f}..{:<8.0f} {:>11.3f} {:>11.3f} {:>13.3f}", r, row.begin, row.end,
               row.alone_sweep, row.alone_weigh, row.private_sweep);
    for (std::size_t f = 0; f < flow_names.size(); ++f) {
      const double sweep = row.flows[2 * f];
      const double refill = row.flows[2 * f + 1];
      const std::size_t width = std::string_view(flow_names[f]).size();
      fmt::print(" {:>{}.3f} {:>{}.3f}", sweep, width + 6, refill, width + 7);
      slowest[f] = std::max(slowest[f], sweep + refill);
    }
    fmt::print("\n");
    alone_speed += 1 / (row.alone_sweep + row.alone_weigh);
  }
  const double ideal = 1 / alone_speed;
  fmt::print("ideal_ms {:.3f}\n", ideal);
  for (std::size_t f = 0; f < flow_names.size(); ++f) {
    fmt::print("{}_flow_ms {:.3f}\n{}_flow_efficiency {:.4f}\n", flow_names[f], slowest[f],
               flow_names[f], ideal / slowest[f]);
  }
}

/// Every step of the file comment on the R-MAT graph given; rank 0 prints. Collective over `node`,
/// which holds every rank.
void measure(MPI_Comm node, unsigned scale, std::uint64_t edge_factor, std::uint64_t seed,
             std::uint64_t rounds) {
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(node, &rank);
  MPI_Comm_size(node, &ranks);
  const pagerank_app::link_graph built =
      pagerank_app::build_link_graph(pagerank_app::generate_rmat(scale, edge_factor, seed));
  const graph_view g = pagerank_app::view_of(built);
  const std::size_t n = g.ids.size();
  const double start = 1.0 / static_cast<double>(n);

  // Rank r's rows: from the row where the links reach r/P of all to where they reach (r+1)/P.
  const std::int32_t* outer = g.links.outerIndexPtr();
  const auto row_at = [&](int which) {
    const std::int64_t links = std::int64_t{outer[n]} * which / ranks;
    return static_cast<std::uint64_t>(std::lower_bound(outer, outer + n + 1, links) - outer);
  };
  const std::uint64_t begin = row_at(rank);
  const std::uint64_t end = rank + 1 == ranks ? n : row_at(rank + 1);
  // Its share of a node-shared weighted vector, as mpimr::shared_array gives it to a rank.
  const auto me = static_cast<std::uint64_t>(rank);
  const auto p = static_cast<std::uint64_t>(ranks);
  const std::uint64_t refill_first = n / p * me + std::min(me, n % p);
  const std::uint64_t refill_count = n / p + (me < n % p ? 1 : 0);
  const auto refill_share = [&](const node_vector& into, std::span<const double> new_x) {
    pagerank_app::weigh_ranks(g, new_x, refill_first,
                              into.span().subspan(refill_first, refill_count));
  };

  std::vector<double> x(n, start);
  std::vector<double> weighted(n);
  std::vector<double> next(n);
  pagerank_app::weigh_ranks(g, x, 0, weighted);
  const node_vector shared_first(node, n, start);
  const node_vector shared_second(node, n, start);
  // node_two's iteration i reads weighted_pair[i % 2] and refills the other: the lines a rank
  // overwrites were last read by the other ranks an iteration earlier, not in the sweep just ended.
  const std::array<node_vector, 2> weighted_pair{node_vector(node, n, 0), node_vector(node, n, 0)};
  for (const node_vector& v : weighted_pair) refill_share(v, x);
  const std::span<double> shared_x[] = {shared_first.span(), shared_second.span()};

  std::vector<double> alone_sweep;
  std::vector<double> alone_weigh;
  std::vector<double> private_sweep;
  std::array<step_times, flow_names.size()> flows;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    for (int r = 0; r < ranks; ++r) {
      MPI_Barrier(node);
      for (int i = 0; r == rank && i < iterations_per_step; ++i) {
        const double weigh = seconds_of([&] { pagerank_app::weigh_ranks(g, x, 0, weighted); });
        const double sweep = seconds_of(
            [&] { (void)pagerank_app::sweep_rows(g, x, weighted, damping, share, 0, next); });
        if (i == 0) continue;
        alone_weigh.push_back(weigh);
        alone_sweep.push_back(sweep);
      }
    }
    for (int i = 0; i < iterations_per_step; ++i) {
      MPI_Barrier(node);
      const double sweep = seconds_of([&] {
        (void)pagerank_app::sweep_rows(g, x, weighted, damping, share, begin,
                                       std::span<double>(next).subspan(begin, end - begin));
      });
      if (i > 0) private_sweep.push_back(sweep);
    }
    run_flow(
        node, g, shared_x[0], shared_x[1], begin, end,
        [&](int) { return std::span<const double>(weighted_pair[0].span()); },
        [&](int, std::span<const double> new_x) { refill_share(weighted_pair[0], new_x); },
        flows[0]);
    run_flow(
        node, g, shared_x[0], shared_x[1], begin, end,
        [&](int i) { return std::span<const double>(weighted_pair[i % 2].span()); },
        [&](int i, std::span<const double> new_x) {
          refill_share(weighted_pair[(i + 1) % 2], new_x);
        },
        flows[1]);
    run_flow(
        node, g, shared_x[0], shared_x[1], begin, end,
        [&](int) { return std::span<const double>(weighted); },
        [&](int, std::span<const double> new_x) {
          pagerank_app::weigh_ranks(g, new_x, 0, weighted);
        },
        flows[2]);
  }

  rank_row mine{static_cast<double>(begin),         static_cast<double>(end),
                bench::median(alone_sweep) * 1e3,   bench::median(alone_weigh) * 1e3,
                bench::median(private_sweep) * 1e3, {}};
  for (std::size_t f = 0; f < flows.size(); ++f) {
    mine.flows[2 * f] = bench::median(flows[f].sweep) * 1e3;
    mine.flows[2 * f + 1] = bench::median(flows[f].refill) * 1e3;
  }
  std::vector<rank_row> all(static_cast<std::size_t>(ranks));
  MPI_Gather(&mine, rank_row_doubles, MPI_DOUBLE, all.data(), rank_row_doubles, MPI_DOUBLE, 0,
             node);
  if (rank != 0) return;
  fmt::print("vertices {} links {} ranks {} rounds {}\n", n, g.links.nonZeros(), ranks, rounds);
  print_table(all);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
  int node_ranks = 0;
  MPI_Comm_size(node, &node_ranks);
  const auto scale = bench::count_arg(argc, argv, 1, 0);
  const auto edge_factor = bench::count_arg(argc, argv, 2, 16);
  const auto seed = bench::count_arg(argc, argv, 3, 1);
  const auto rounds = bench::count_arg(argc, argv, 4, 8);
  int status = 0;
  if (!scale || !edge_factor || !seed || !rounds) {
    status = 2;
  } else if (argc < 2 || *scale > 30 || node_ranks != ranks) {
    if (rank == 0) {
      fmt::print(stderr, "usage: mpirun -np P {} SCALE(1-30) [EDGE_FACTOR] [SEED] [ROUNDS]{}\n",
                 argv[0], node_ranks != ranks ? " (all ranks on one node)" : "");
    }
    status = 2;
  } else {
    measure(node, static_cast<unsigned>(*scale), *edge_factor, *seed, *rounds);
  }
  MPI_Comm_free(&node);
  MPI_Finalize();
  return status;
}
