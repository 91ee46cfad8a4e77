// Scale figures for docs/scale.md, by run_scale_benchmark.sh: what one call of each operation costs
// as the rank count grows (latency terms, small payloads), how fast the dynamic schedule hands out
// chunks, and what a rank holds in memory idle or in a key-value shuffle.
//
// Usage: bench_scale ops [REPS]             per-call time, MPI messages and payload bytes of each
//                                           operation over 4 one-index chunks per rank
//        bench_scale handout [CHUNKS [REPS]] chunks per second with an empty body, per schedule,
//                                           and with rank 0 busy (hand-outs to the others)
//        bench_scale idle [SECONDS]         a context and one reduce, then sleeps (for node_pss.py)
//        bench_scale bykey [ITEMS [KEYS]]   one map_reduce_by_key of ITEMS pairs over KEYS keys
// Rank 0 prints `ROW name key=value ...` lines. On several nodes (emulated, each its own network
// namespace) `ops` also counts the packets and bytes the nodes sent on eth0 per call: the traffic
// between nodes, TCP acknowledgements included. On one node those read "na". (Open MPI's pml
// monitoring would count MPI messages, but Debian's 4.1.4 never selects it: its init returns
// priority 0 even with pml_monitoring_enable=1.)
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_util.hpp"

namespace {

/// Packets and bytes this node has sent on eth0 so far (/proc/net/dev of the caller's network
/// namespace: on an emulated node, all its traffic to the other nodes, TCP acknowledgements
/// included). Read on one rank per node; {0, 0} and unavailable where there is no eth0 (one node).
class node_traffic {
 public:
  explicit node_traffic(MPI_Comm comm) {
    MPI_Comm node = MPI_COMM_NULL;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int node_rank = 0;
    MPI_Comm_rank(node, &node_rank);
    MPI_Comm_free(&node);
    reader_ = node_rank == 0;
    int nodes = reader_ ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &nodes, 1, MPI_INT, MPI_SUM, comm);
    int found = reader_ && read_eth0().has_value() ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &found, 1, MPI_INT, MPI_SUM, comm);
    available_ = nodes > 1 && found == nodes;
  }
  [[nodiscard]] bool available() const noexcept { return available_; }
  /// {packets, bytes} sent; collective use only through measure().
  [[nodiscard]] std::array<std::uint64_t, 2> read() const {
    if (!available_ || !reader_) return {};
    return read_eth0().value_or(std::array<std::uint64_t, 2>{});
  }

 private:
  static std::optional<std::array<std::uint64_t, 2>> read_eth0() {
    std::FILE* f = std::fopen("/proc/net/dev", "r");
    if (f == nullptr) return std::nullopt;
    std::optional<std::array<std::uint64_t, 2>> out;
    char line[512];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      char name[64];
      unsigned long long v[16];
      // name: rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets ...
      if (std::sscanf(line, " %63[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", name,
                      &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 11 &&
          std::string_view(name) == "eth0") {
        out = std::array<std::uint64_t, 2>{v[9], v[8]};
      }
    }
    std::fclose(f);
    return out;
  }

  bool reader_ = false;
  bool available_ = false;
};

struct op_case {
  std::string_view name;
  std::function<bool()> call;  // one call; true when its result is right
  bool reporting = true;
};

/// One block of calls of one operation, per call: the slowest rank's time, the packets and bytes
/// that went between nodes, the payload bytes of the last call's run report (-1: reporting off).
struct block_result {
  double seconds = 0;
  double packets = 0;
  double bytes = 0;
  double report_bytes = -1;
  bool correct = true;
};

block_result measure_block(mpimr::context& ctx, const node_traffic& counter, const op_case& op,
                           int reps) {
  const MPI_Comm comm = ctx.communicator();
  ctx.set_reporting(op.reporting);
  bool correct = op.call();  // warm-up: connections, first-use allocations
  MPI_Barrier(comm);
  const auto before = counter.read();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) correct = op.call() && correct;
  const std::chrono::duration<double> mine = std::chrono::steady_clock::now() - start;
  const auto after = counter.read();
  block_result out;
  if (op.reporting) {
    out.report_bytes = 0;
    for (const auto& r : ctx.last_report().ranks)
      out.report_bytes += static_cast<double>(r.bytes_sent);
  }
  ctx.set_reporting(true);
  std::array<std::uint64_t, 3> totals{after[0] - before[0], after[1] - before[1],
                                      correct ? 0U : 1U};
  MPI_Allreduce(MPI_IN_PLACE, totals.data(), 3, MPI_UINT64_T, MPI_SUM, comm);
  double slowest = mine.count();
  MPI_Allreduce(MPI_IN_PLACE, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
  out.seconds = slowest / reps;
  out.packets = static_cast<double>(totals[0]) / reps;
  out.bytes = static_cast<double>(totals[1]) / reps;
  out.correct = totals[2] == 0;
  return out;
}

int run_ops(mpimr::context& ctx, int reps) {
  const MPI_Comm comm = ctx.communicator();
  const node_traffic counter(comm);
  const auto n = static_cast<std::uint64_t>(4 * ctx.size());  // 4 one-index chunks per rank
  const mpimr::index_range range{0, n};
  const std::uint64_t sum = n * (n - 1) / 2;
  const auto begin = [](const mpimr::chunk& c) { return c.begin; };
  const auto identity = [](std::uint64_t i) { return i; };
  // Not std::plus: a join MPI cannot apply, so the ordered binomial tree of encoded values runs.
  const auto custom_join = [](std::uint64_t a, std::uint64_t b) { return a + b; };
  using dyn = mpimr::options;
  const dyn dynamic{.schedule = mpimr::schedule::dynamic, .chunk_size = 1};
  const dyn fixed{.schedule = mpimr::schedule::static_blocks, .chunk_size = 1};
  const dyn det{.schedule = mpimr::schedule::dynamic, .chunk_size = 1, .deterministic = true};
  const auto map_ok = [&](const std::vector<std::uint64_t>& v) {
    for (std::uint64_t i = 0; i < v.size(); ++i)
      if (v[i] != i) return false;
    return v.size() == n;
  };
  const std::vector<op_case> cases{
      {"mpi_barrier", [&] { return MPI_Barrier(comm) == MPI_SUCCESS; }},
      {"mpi_allreduce_8B",
       [&] {
         std::uint64_t one = 1;
         MPI_Allreduce(MPI_IN_PLACE, &one, 1, MPI_UINT64_T, MPI_SUM, comm);
         return one == static_cast<std::uint64_t>(ctx.size());
       }},
      {"reduce_dynamic",
       [&] {
         return mpimr::reduce(ctx, range, std::uint64_t{0}, begin, std::plus<>{}, dynamic) == sum;
       }},
      {"reduce_dynamic_noreport",
       [&] {
         return mpimr::reduce(ctx, range, std::uint64_t{0}, begin, std::plus<>{}, dynamic) == sum;
       },
       false},
      {"reduce_static",
       [&] {
         return mpimr::reduce(ctx, range, std::uint64_t{0}, begin, std::plus<>{}, fixed) == sum;
       }},
      {"reduce_custom_join",
       [&] {
         return mpimr::reduce(ctx, range, std::uint64_t{0}, begin, custom_join, dynamic) == sum;
       }},
      {"reduce_deterministic",
       [&] {
         return mpimr::reduce(ctx, range, std::uint64_t{0}, begin, std::plus<>{}, det) == sum;
       }},
      {"map_dynamic", [&] { return map_ok(mpimr::map(ctx, range, identity, dynamic)); }},
      {"map_static", [&] { return map_ok(mpimr::map(ctx, range, identity, fixed)); }},
      {"map_reduce_by_key",
       [&] {
         auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
             ctx, range,
             [](std::uint64_t i, const mpimr::emitter<std::uint64_t, std::uint64_t>& emit) {
               emit(i, 1);
             },
             std::plus<>{}, dynamic);
         // Local check only (size() would add a collective): every owned key counted once.
         bool ok = true;
         for (const auto& [key, count] : counts) ok = ok && count == 1;
         return ok;
       }},
  };
  // Blocks of calls, the operations interleaved, medians over the blocks: a burst of load from
  // other jobs on the machine then spoils one block of each operation, not one operation.
  constexpr int blocks = 5;
  const int per_block = std::max(1, reps / blocks);
  std::vector<std::vector<block_result>> results(cases.size());
  for (int b = 0; b < blocks; ++b) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      results[i].push_back(measure_block(ctx, counter, cases[i], per_block));
    }
  }
  if (ctx.rank() != 0) return 0;
  bool all_correct = true;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::vector<double> us;
    std::vector<double> packets;
    std::vector<double> bytes;
    bool correct = true;
    for (const auto& r : results[i]) {
      us.push_back(r.seconds * 1e6);
      packets.push_back(r.packets);
      bytes.push_back(r.bytes);
      correct = correct && r.correct;
    }
    all_correct = all_correct && correct;
    const double report = results[i].back().report_bytes;
    fmt::print(
        "ROW ops op={} np={} nodes={} us_per_call={:.1f} min_us={:.1f} net_packets_per_call={} "
        "net_bytes_per_call={} report_payload_bytes={} correct={}\n",
        cases[i].name, ctx.size(), ctx.node_count(), bench::median(us),
        *std::min_element(us.begin(), us.end()),
        counter.available() ? fmt::format("{:.1f}", bench::median(packets)) : "na",
        counter.available() ? fmt::format("{:.0f}", bench::median(bytes)) : "na",
        cases[i].name.starts_with("mpi_") ? std::string("-")
        : report >= 0                     ? fmt::format("{:.0f}", report)
                                          : std::string("off"),
        correct ? "yes" : "NO");
  }
  return all_correct ? 0 : 1;
}

/// One way of running the chunks: a schedule, and whether rank 0 is busy in every chunk it takes.
struct handout_case {
  std::string_view name;
  mpimr::schedule schedule;
  bool rank0_busy;
};

int run_handout(mpimr::context& ctx, std::uint64_t chunks, int reps) {
  const MPI_Comm comm = ctx.communicator();
  const bool rank0 = ctx.rank() == 0;
  // rank0_busy: rank 0 sleeps 1 ms in each chunk, as if computing, so nearly every chunk goes to
  // the other ranks: their rate is what the dispenser serves to ranks other than its holder (with
  // the service dispenser, every such chunk is a request/reply round trip to rank 0's thread).
  // Otherwise the body is trivial but not constant, as in bench_chunk_overhead.
  const std::vector<handout_case> cases{
      {"dynamic_rank0_busy", mpimr::schedule::dynamic, true},
      {"dynamic", mpimr::schedule::dynamic, false},
      {"guided", mpimr::schedule::guided, false},
      {"static", mpimr::schedule::static_blocks, false},
  };
  std::vector<std::vector<double>> seconds(cases.size());
  std::vector<std::vector<double>> others(cases.size());  // chunks run by ranks other than 0
  std::vector<std::uint64_t> most(cases.size());
  std::vector<std::uint64_t> least(cases.size());
  bool correct = true;
  for (int rep = 0; rep < reps; ++rep) {  // interleaved, so drifting load hits all alike
    for (std::size_t s = 0; s < cases.size(); ++s) {
      if (cases[s].rank0_busy && ctx.size() == 1) continue;  // no other rank to hand out to
      const bool busy = cases[s].rank0_busy && rank0;
      const auto body = [busy](const mpimr::chunk& c) {
        if (busy) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return std::uint64_t{c.begin & 1U};
      };
      std::uint64_t got = 0;
      seconds[s].push_back(bench::timed(comm, [&] {
        got = mpimr::reduce(ctx, mpimr::index_range{0, chunks}, std::uint64_t{0}, body,
                            std::plus<>{}, {.schedule = cases[s].schedule, .chunk_size = 1});
      }));
      correct = correct && got == chunks / 2;
      most[s] = 0;
      least[s] = UINT64_MAX;
      for (const auto& r : ctx.last_report().ranks) {
        most[s] = std::max(most[s], r.chunks);
        least[s] = std::min(least[s], r.chunks);
      }
      others[s].push_back(static_cast<double>(chunks - ctx.last_report().ranks[0].chunks));
    }
  }
  if (!rank0) return correct ? 0 : 1;
  if (!correct) {
    fmt::print(stderr, "bench_scale: wrong sum\n");
    return 1;
  }
  for (std::size_t s = 0; s < cases.size(); ++s) {
    if (seconds[s].empty()) continue;
    const double t = bench::median(seconds[s]);
    const double other = bench::median(others[s]);
    fmt::print(
        "ROW handout case={} np={} nodes={} chunks={} seconds={:.4f} chunks_per_s={:.0f} "
        "others_chunks_per_s={:.0f} most_one_rank={} least_one_rank={}\n",
        cases[s].name, ctx.size(), ctx.node_count(), chunks, t, static_cast<double>(chunks) / t,
        other / t, most[s], least[s]);
  }
  return 0;
}

int run_idle(mpimr::context& ctx, std::uint64_t seconds) {
  const auto n = static_cast<std::uint64_t>(4 * ctx.size());
  const auto got = mpimr::reduce(
      ctx, mpimr::index_range{0, n}, std::uint64_t{0},
      [](const mpimr::chunk& c) { return c.begin; }, std::plus<>{});
  MPI_Barrier(ctx.communicator());
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  MPI_Barrier(ctx.communicator());
  return got == n * (n - 1) / 2 ? 0 : 1;
}

int run_bykey(mpimr::context& ctx, std::uint64_t items, std::uint64_t keys) {
  double t = 0;
  std::uint64_t owned = 0;
  t = bench::timed(ctx.communicator(), [&] {
    auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
        ctx, mpimr::index_range{0, items},
        [keys](std::uint64_t i, const mpimr::emitter<std::uint64_t, std::uint64_t>& emit) {
          emit((i * 0x9E3779B97F4A7C15ULL) % keys, 1);  // spread over the keys, not in runs
        },
        std::plus<>{});
    owned = counts.size();
    // Held for a moment, so the memory sampler (every 20 ms) sees the owned tables.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  if (ctx.rank() == 0) {
    fmt::print("ROW bykey np={} items={} keys={} seconds={:.3f} correct={}\n", ctx.size(), items,
               keys, t, owned == std::min(items, keys) ? "yes" : "NO");
  }
  return owned == std::min(items, keys) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "ops") {
    const auto reps = bench::count_arg(argc, argv, 2, 200);
    if (!reps) return 2;
    return run_ops(ctx, static_cast<int>(*reps));
  }
  if (mode == "handout") {
    const auto chunks = bench::count_arg(argc, argv, 2, 200'000);
    const auto reps = bench::count_arg(argc, argv, 3, 3);
    if (!chunks || !reps) return 2;
    return run_handout(ctx, *chunks, static_cast<int>(*reps));
  }
  if (mode == "idle") {
    const auto seconds = bench::count_arg(argc, argv, 2, 2);
    if (!seconds) return 2;
    return run_idle(ctx, *seconds);
  }
  if (mode == "bykey") {
    const auto items = bench::count_arg(argc, argv, 2, 2'000'000);
    const auto keys = bench::count_arg(argc, argv, 3, 200'000);
    if (!items || !keys) return 2;
    return run_bykey(ctx, *items, *keys);
  }
  if (ctx.rank() == 0) {
    fmt::print(stderr, "bench_scale: unknown mode '{}'; use ops, handout, idle or bykey\n", mode);
  }
  return 2;
}
