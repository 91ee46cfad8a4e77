// Per-chunk cost of mpimr's schedules: a reduce over many one-index chunks whose body does almost
// nothing, so the time is the framework's hand-out, loop and bookkeeping. Baseline: a serial loop
// calling the same body. Usage: bench_chunk_overhead [CHUNKS [REPS]]; prints RESULT/INFO lines.
#include <fmt/core.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace {

// Trivial but not constant, so neither mpimr's loop nor the serial loop can be folded away.
constexpr auto body = [](const mpimr::chunk& c) { return std::uint64_t{c.begin & 1U}; };

std::uint64_t serial_loop(std::uint64_t chunks) {
  std::uint64_t sum = 0;
  for (std::uint64_t id = 0; id < chunks; ++id) {
    sum += body(mpimr::chunk{id, id, id + 1});
    asm volatile(""
                 : "+r"(sum));  // one body call per chunk: no vectorising the loop into a formula
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const auto chunks_arg = bench::count_arg(argc, argv, 1, 10'000'000);
  const auto reps_arg = bench::count_arg(argc, argv, 2, 5);
  if (!chunks_arg || !reps_arg) return 2;
  const std::uint64_t chunks = *chunks_arg;
  const int reps = static_cast<int>(*reps_arg);
  const std::uint64_t expected = chunks / 2;
  const MPI_Comm comm = ctx.communicator();
  const double ranks = ctx.size();

  const std::vector<mpimr::schedule> schedules{mpimr::schedule::dynamic, mpimr::schedule::guided,
                                               mpimr::schedule::static_blocks};
  std::vector<std::vector<double>> seconds(schedules.size());
  std::vector<double> serial_seconds;
  bool correct = true;
  for (int rep = 0; rep < reps; ++rep) {  // interleaved, so drifting machine load hits all alike
    for (std::size_t s = 0; s < schedules.size(); ++s) {
      std::uint64_t sum = 0;
      seconds[s].push_back(bench::timed(comm, [&] {
        sum = mpimr::reduce(ctx, mpimr::index_range{0, chunks}, std::uint64_t{0}, body,
                            std::plus<>{}, {.schedule = schedules[s], .chunk_size = 1});
      }));
      correct = correct && sum == expected;
    }
    std::uint64_t sum = 0;
    serial_seconds.push_back(bench::timed(comm, [&] { sum = serial_loop(chunks); }));
    correct = correct && sum == expected;
  }
  if (!correct) {
    if (ctx.rank() == 0) fmt::print(stderr, "bench_chunk_overhead: wrong sum\n");
    return 1;
  }
  if (ctx.rank() != 0) return 0;

  // Cost per chunk per rank: total rank-time spent divided by the chunks handed out.
  const double us = 1e6 / static_cast<double>(chunks);
  const double serial_us = bench::median(serial_seconds) * us;
  fmt::print("INFO chunk_cost_us_serial_loop_np{} {:.4f}\n", ctx.size(), serial_us);
  for (std::size_t s = 0; s < schedules.size(); ++s) {
    const double per_chunk = bench::median(seconds[s]) * ranks * us;
    const std::string name{mpimr::to_string(schedules[s])};
    if (schedules[s] == mpimr::schedule::dynamic) {
      fmt::print("RESULT chunk_overhead_us_dynamic_np{} {:.4f} (target <= 1)\n", ctx.size(),
                 per_chunk);
    } else {
      fmt::print("INFO chunk_overhead_us_{}_np{} {:.4f}\n", name, ctx.size(), per_chunk);
    }
  }
  return 0;
}
