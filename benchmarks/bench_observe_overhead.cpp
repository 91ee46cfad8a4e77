// What the run report and progress cost: three workloads run with neither, with the report, with
// progress, and with both, the four interleaved in every repetition, as ratios of medians against
// neither (the order of the four rotates from one repetition to the next). Workloads: a reduce over
// CHUNKS chunks of 4 indices (per-chunk cost: clock reads, count messages), OPS reduces of 16
// chunks each (per-operation cost: the report's gather, rank 0's progress thread), and a reduce of
// 64 chunks of 2^16 random-ish terms (a realistic body). Usage: bench_observe_overhead [CHUNKS [OPS
// [REPS]]]. Progress lines go to stderr every 10 s (none for operations shorter than that). Prints
// RESULT/INFO lines.
#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <string_view>
#include <vector>

#include "bench_util.hpp"

namespace {

double term(std::uint64_t i) { return 1.0 / static_cast<double>(i + 1); }

double reduce_sum(mpimr::context& ctx, std::uint64_t indices, std::uint64_t chunk_size) {
  return mpimr::reduce(ctx, mpimr::index_range{0, indices}, 0.0,
                       [](const mpimr::chunk& c) {
                         double s = 0;
                         for (std::uint64_t i = c.begin; i < c.end; ++i) s += term(i);
                         return s;
                       },
                       std::plus<>{},
                       {.schedule = mpimr::schedule::dynamic, .chunk_size = chunk_size});
}

struct setting {
  std::string_view name;
  bool report;
  bool progress;
};

constexpr std::array<setting, 4> settings{{{"neither", false, false},
                                           {"report", true, false},
                                           {"progress", false, true},
                                           {"both", true, true}}};

void apply(mpimr::context& ctx, const setting& s) {
  ctx.set_reporting(s.report);
  ctx.set_progress({.mode = s.progress ? mpimr::progress_mode::on : mpimr::progress_mode::off,
                    .interval_seconds = 10});
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const auto chunks = bench::count_arg(argc, argv, 1, 400'000);
  const auto ops = bench::count_arg(argc, argv, 2, 2'000);
  const auto reps = bench::count_arg(argc, argv, 3, 7);
  if (!chunks || !ops || !reps || argc > 4) return 2;
  const MPI_Comm comm = ctx.communicator();

  struct workload {
    std::string_view name;
    std::function<void()> run;
    std::uint64_t units;  // chunks or operations, for the per-unit cost
  };
  const std::vector<workload> workloads{
      {"short_chunks", [&] { (void)reduce_sum(ctx, *chunks * 4, 4); }, *chunks},
      {"short_ops",
       [&] {
         for (std::uint64_t k = 0; k < *ops; ++k) (void)reduce_sum(ctx, 16 * 64, 64);
       },
       *ops},
      {"long_chunks", [&] { (void)reduce_sum(ctx, 64ULL << 16U, 1ULL << 16U); }, 64}};

  // times[workload][setting][rep]
  std::vector<std::array<std::vector<double>, settings.size()>> times(workloads.size());
  for (std::uint64_t rep = 0; rep <= *reps; ++rep) {  // rep 0 warms up and is not kept
    for (std::size_t w = 0; w < workloads.size(); ++w) {
      for (std::size_t k = 0; k < settings.size(); ++k) {
        // A different setting goes first in each repetition: none gains from coming after another.
        const std::size_t s = (k + rep) % settings.size();
        apply(ctx, settings[s]);
        const double t = bench::timed(comm, workloads[w].run);
        if (rep > 0) times[w][s].push_back(t);
      }
    }
  }
  apply(ctx, settings[0]);
  if (ctx.rank() != 0) return 0;
  const int np = ctx.size();
  fmt::print("INFO observe_overhead ranks {} chunks {} ops {} reps {}\n", np, *chunks, *ops, *reps);
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    const double base = bench::median(times[w][0]);
    fmt::print("INFO observe_{}_np{}_neither_s {:.4f}\n", workloads[w].name, np, base);
    for (std::size_t s = 1; s < settings.size(); ++s) {
      const double t = bench::median(times[w][s]);
      fmt::print("RESULT observe_{}_np{}_{}_ratio {:.3f} ({:+.3f} us per {})\n", workloads[w].name,
                 np, settings[s].name, t / base,
                 (t - base) * 1e6 / static_cast<double>(workloads[w].units),
                 w == 1 ? "operation" : "chunk");
    }
  }
  return 0;
}
