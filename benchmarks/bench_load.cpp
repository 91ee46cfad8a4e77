// One operation over CHUNKS one-index chunks with a trivial body, checked against its closed form,
// for run_load_benchmark.sh, which measures each rank's peak memory around it: memory that grows
// with the number of chunks shows as a difference between chunk counts.
// Usage: bench_load KIND CHUNKS, KIND one of reduce (dynamic schedule), reduce_det (deterministic,
// dynamic), reduce_det_static (deterministic, static blocks), for_each, map_reduce_by_key (1024
// keys). Prints `seconds S` (the operation alone, slowest rank) on rank 0.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <string_view>

#include "bench_util.hpp"

namespace {

constexpr std::uint64_t keys = 1024;
constexpr std::array<std::string_view, 5> kinds{"reduce", "reduce_det", "reduce_det_static",
                                                "for_each", "map_reduce_by_key"};

/// Runs the operation; true when its result is the closed form's.
bool run(mpimr::context& ctx, std::string_view kind, std::uint64_t n) {
  const mpimr::index_range range{0, n};
  const std::uint64_t index_sum = n * (n - 1) / 2;  // below 2^53 for any n used here: exact too
  if (kind == "reduce") {
    return mpimr::reduce(ctx, range, std::uint64_t{0},
                         [](const mpimr::chunk& c) { return c.begin; }, std::plus<>{},
                         {.chunk_size = 1}) == index_sum;
  }
  if (kind == "reduce_det" || kind == "reduce_det_static") {
    const auto schedule =
        kind == "reduce_det" ? mpimr::schedule::dynamic : mpimr::schedule::static_blocks;
    return mpimr::reduce(
               ctx, range, 0.0, [](const mpimr::chunk& c) { return static_cast<double>(c.begin); },
               std::plus<>{}, {.schedule = schedule, .chunk_size = 1, .deterministic = true}) ==
           static_cast<double>(index_sum);
  }
  if (kind == "for_each") {
    std::uint64_t seen = 0;
    mpimr::for_each(ctx, range, [&](std::uint64_t i) { seen += i; }, {.chunk_size = 1});
    MPI_Allreduce(MPI_IN_PLACE, &seen, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
    return seen == index_sum;
  }
  if (kind == "map_reduce_by_key") {
    const auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
        ctx, range,
        [](std::uint64_t i, const mpimr::emitter<std::uint64_t, std::uint64_t>& emit) {
          emit(i % keys, 1);
        },
        std::plus<>{}, {.chunk_size = 1});
    return counts.size() == std::min(n, keys) && counts.reduce_values(std::uint64_t{0}) == n;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  if (argc != 3) {
    if (ctx.rank() == 0) fmt::print(stderr, "usage: {} KIND CHUNKS\n", argv[0]);
    return 2;
  }
  const std::string_view kind = argv[1];
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    if (ctx.rank() == 0) {
      fmt::print(stderr, "bench_load: unknown kind '{}' (one of {})\n", kind,
                 fmt::join(kinds, ", "));
    }
    return 2;
  }
  const auto chunks = bench::count_arg(argc, argv, 2, 0);
  if (!chunks) return 2;
  bool correct = false;
  const double seconds =
      bench::timed(ctx.communicator(), [&] { correct = run(ctx, kind, *chunks); });
  if (!correct) {
    fmt::print(stderr, "bench_load: {} over {} chunks gave a wrong result on rank {}\n", kind,
               *chunks, ctx.rank());
    return 1;
  }
  if (ctx.rank() == 0) fmt::print("seconds {:.4f}\n", seconds);
  return 0;
}
