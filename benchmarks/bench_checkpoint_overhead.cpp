// What mpimr::checkpoint costs per chunk: a deterministic reduce of a double over CHUNKS chunks of
// a few indices with a cheap body, a map of doubles (each chunk's results are its record) and a
// map_reduce_by_key (each chunk's pairs, combined, are its record), run without and with a
// checkpoint; then reruns that take every chunk from a kept journal, and the
// time to open (read and index) that journal of CHUNKS records.
// Usage: bench_checkpoint_overhead [CHUNKS [REPS [FOLDER]]]; the journals go in a new folder inside
// FOLDER, else $TMPDIR, else the folder of this program (the build tree). Prints RESULT/INFO lines.
#include <fmt/core.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench_util.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t reduce_chunk_indices = 4;
constexpr std::uint64_t map_chunk_indices = 64;    // 512-byte records
constexpr std::uint64_t pairs_chunk_indices = 64;  // 64 distinct keys: 1 KiB records
constexpr std::uint64_t pair_keys = 4096;
constexpr std::string_view key = "bench_checkpoint_overhead v1";

// Cheap, but not foldable into a formula, and different bits for a different join order.
double term(std::uint64_t i) { return 1.0 / static_cast<double>(i + 1); }

double sum_job(mpimr::context& ctx, std::uint64_t chunks) {
  return mpimr::reduce(ctx, mpimr::index_range{0, chunks * reduce_chunk_indices}, 0.0,
                       [](const mpimr::chunk& c) {
                         double s = 0;
                         for (std::uint64_t i = c.begin; i < c.end; ++i) s += term(i);
                         return s;
                       },
                       std::plus<>{},
                       {.chunk_size = reduce_chunk_indices, .deterministic = true, .label = "sum"});
}

std::vector<double> map_job(mpimr::context& ctx, std::uint64_t chunks) {
  return mpimr::map(ctx, mpimr::index_range{0, chunks * map_chunk_indices}, term,
                    {.chunk_size = map_chunk_indices, .label = "terms"});
}

/// Counts of key i % pair_keys (a chunk's 64 indices are 64 keys); returns the total count held by
/// this rank's keys.
std::uint64_t pairs_job(mpimr::context& ctx, std::uint64_t chunks) {
  const auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
      ctx, mpimr::index_range{0, chunks * pairs_chunk_indices},
      [](std::uint64_t i, const mpimr::emitter<std::uint64_t, std::uint64_t>& emit) {
        emit(i % pair_keys, 1);
      },
      std::plus<>{}, {.chunk_size = pairs_chunk_indices, .label = "pairs"});
  std::uint64_t total = 0;
  for (const auto& [k, n] : counts) total += n;
  return total;
}

/// The file system holding `path`, by name for the common ones.
std::string file_system(const fs::path& path) {
  struct statfs info {};
  if (statfs(path.c_str(), &info) != 0) return "unknown";
  switch (static_cast<unsigned long>(info.f_type)) {
    case 0x01021994UL:
      return "tmpfs";
    case 0xEF53UL:
      return "ext2/3/4";
    case 0x58465342UL:
      return "xfs";
    case 0x9123683EUL:
      return "btrfs";
    case 0x794C7630UL:
      return "overlayfs";
    case 0x6969UL:
      return "nfs";
    case 0x0BD00BD0UL:
      return "lustre";
    case 0x47504653UL:
      return "gpfs";
    default:
      return fmt::format("f_type {:#x}", static_cast<unsigned long>(info.f_type));
  }
}

/// The folder the journals go in, and where its parent came from.
std::pair<fs::path, std::string> parent_folder(int argc, char** argv) {
  if (argc > 3) return {argv[3], "given"};
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') {
    return {tmp, "$TMPDIR"};
  }
  return {fs::canonical("/proc/self/exe").parent_path(), "beside the program"};
}

std::uint64_t sum_over_ranks(mpimr::context& ctx, std::uint64_t value) {
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
  return value;
}

std::set<fs::path> journal_files(const fs::path& folder) {
  std::set<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) files.insert(entry.path());
  return files;
}

struct samples {
  std::vector<double> plain, with, open_empty, complete, map_plain, map_with, pairs_plain,
      pairs_with, open_full, resumed;
};

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const auto chunks_arg = bench::count_arg(argc, argv, 1, 200'000);
  const auto reps_arg = bench::count_arg(argc, argv, 2, 5);
  if (!chunks_arg || !reps_arg || argc > 4) {
    if (argc > 4 && ctx.rank() == 0) {
      fmt::print(stderr, "usage: {} [CHUNKS [REPS [FOLDER]]]\n", argv[0]);
    }
    return 2;
  }
  const std::uint64_t chunks = *chunks_arg;
  const std::uint64_t map_chunks = std::max<std::uint64_t>(1, chunks / 4);
  const int reps = static_cast<int>(*reps_arg);
  const MPI_Comm comm = ctx.communicator();

  const auto [parent, parent_source] = parent_folder(argc, argv);
  std::string folder_name;
  if (ctx.rank() == 0) {
    std::string pattern = (parent / "mpimr-bench-checkpoint-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) folder_name = pattern;
  }
  mpimr::broadcast(ctx, folder_name);
  if (folder_name.empty()) {
    if (ctx.rank() == 0) {
      fmt::print(stderr, "bench_checkpoint_overhead: cannot create a folder in '{}'\n",
                 parent.string());
    }
    return 2;
  }
  const fs::path root = folder_name;
  const fs::path fresh = root / "fresh";  // made and removed by each checkpointed run
  const fs::path kept = root / "kept";    // the journal of one whole run, resumed again and again

  const double reference = sum_job(ctx, chunks);
  const std::vector<double> map_reference = map_job(ctx, map_chunks);
  std::set<fs::path> kept_files;
  {
    mpimr::checkpoint cp(ctx, {.folder = kept, .key = std::string(key), .keep = true});
    (void)sum_job(ctx, chunks);
    cp.complete();
  }
  MPI_Barrier(comm);
  if (ctx.rank() == 0) kept_files = journal_files(kept);

  samples t;
  bool correct = true;
  std::uint64_t resumed = 0;
  for (int rep = 0; rep < reps; ++rep) {  // interleaved, so drifting machine load hits all alike
    double sum = 0;
    t.plain.push_back(bench::timed(comm, [&] { sum = sum_job(ctx, chunks); }));
    correct = correct && sum == reference;
    {
      std::optional<mpimr::checkpoint> cp;
      t.open_empty.push_back(bench::timed(comm, [&] {
        cp.emplace(ctx, mpimr::checkpoint_settings{.folder = fresh, .key = std::string(key)});
      }));
      t.with.push_back(bench::timed(comm, [&] { sum = sum_job(ctx, chunks); }));
      correct = correct && sum == reference && sum_over_ranks(ctx, cp->recorded_chunks()) == chunks;
      // Flushes every rank's file to disk (fsync) and removes the journal.
      t.complete.push_back(bench::timed(comm, [&] { cp->complete(); }));
    }

    std::vector<double> values;
    t.map_plain.push_back(bench::timed(comm, [&] { values = map_job(ctx, map_chunks); }));
    correct = correct && values == map_reference;
    {
      mpimr::checkpoint cp(ctx, {.folder = fresh, .key = std::string(key)});
      t.map_with.push_back(bench::timed(comm, [&] { values = map_job(ctx, map_chunks); }));
      correct = correct && values == map_reference;
      cp.complete();
    }

    std::uint64_t pairs = 0;
    t.pairs_plain.push_back(bench::timed(comm, [&] { pairs = pairs_job(ctx, map_chunks); }));
    correct = correct && sum_over_ranks(ctx, pairs) == map_chunks * pairs_chunk_indices;
    {
      mpimr::checkpoint cp(ctx, {.folder = fresh, .key = std::string(key)});
      t.pairs_with.push_back(bench::timed(comm, [&] { pairs = pairs_job(ctx, map_chunks); }));
      correct = correct && sum_over_ranks(ctx, pairs) == map_chunks * pairs_chunk_indices &&
                sum_over_ranks(ctx, cp.recorded_chunks()) == map_chunks;
      cp.complete();
    }

    {
      std::optional<mpimr::checkpoint> cp;
      t.open_full.push_back(bench::timed(comm, [&] {
        cp.emplace(ctx, mpimr::checkpoint_settings{.folder = kept, .key = std::string(key)});
      }));
      t.resumed.push_back(bench::timed(comm, [&] { sum = sum_job(ctx, chunks); }));
      resumed = sum_over_ranks(ctx, cp->resumed_chunks());
      correct = correct && sum == reference && resumed == chunks;
    }
    // Each resumed run started a file of its own (a header, no records): keep the journal as it
    // was, so every repetition opens the same records.
    MPI_Barrier(comm);
    if (ctx.rank() == 0) {
      for (const fs::path& file : journal_files(kept)) {
        if (kept_files.count(file) == 0) fs::remove(file);
      }
    }
    MPI_Barrier(comm);
  }
  MPI_Barrier(comm);
  if (ctx.rank() == 0) fs::remove_all(root);
  if (!correct) {
    if (ctx.rank() == 0) {
      fmt::print(stderr,
                 "bench_checkpoint_overhead: a checkpointed or resumed run gave another result "
                 "or did not record or resume every chunk\n");
    }
    return 1;
  }
  if (ctx.rank() != 0) return 0;

  // Per chunk: rank-time spent (slowest rank's time x ranks) divided by the chunks; differences
  // and ratios are formed within a repetition, from runs a moment apart, and their median taken.
  const int np = ctx.size();
  const auto per_rep = [&](const std::vector<double>& a, const std::vector<double>& b,
                           auto&& formula) {
    std::vector<double> out;
    for (int r = 0; r < reps; ++r) out.push_back(formula(a[r], b[r]));
    return bench::median(out);
  };
  const double us_per_chunk = 1e6 * np / static_cast<double>(chunks);
  const double us_per_map_chunk = 1e6 * np / static_cast<double>(map_chunks);
  const auto minus = [](double a, double b) { return a - b; };
  const auto ratio = [](double a, double b) { return a / b; };

  fmt::print("INFO checkpoint_folder {} ({}, {})\n", root.string(), parent_source,
             file_system(parent));
  fmt::print("INFO checkpoint_reduce_chunks {} of {} indices, map_chunks {} of {} doubles\n",
             chunks, reduce_chunk_indices, map_chunks, map_chunk_indices);
  fmt::print("INFO reduce_us_per_chunk_plain_np{} {:.4f}\n", np,
             bench::median(t.plain) * us_per_chunk);
  fmt::print("RESULT checkpoint_cost_per_chunk_us_np{} {:.4f} (target <= 5)\n", np,
             per_rep(t.with, t.plain, minus) * us_per_chunk);
  fmt::print("INFO checkpoint_time_ratio_np{} {:.3f}\n", np, per_rep(t.with, t.plain, ratio));
  fmt::print("INFO checkpoint_open_empty_ms_np{} {:.3f}\n", np, bench::median(t.open_empty) * 1e3);
  fmt::print("INFO checkpoint_complete_ms_np{} {:.3f} (fsync and removal of {} records)\n", np,
             bench::median(t.complete) * 1e3, chunks);
  fmt::print("INFO map_checkpoint_cost_per_chunk_us_np{} {:.4f} ({}-byte records)\n", np,
             per_rep(t.map_with, t.map_plain, minus) * us_per_map_chunk,
             map_chunk_indices * sizeof(double));
  fmt::print("INFO map_checkpoint_time_ratio_np{} {:.3f}\n", np,
             per_rep(t.map_with, t.map_plain, ratio));
  fmt::print("INFO by_key_checkpoint_cost_per_chunk_us_np{} {:.4f} ({} distinct keys per chunk)\n",
             np, per_rep(t.pairs_with, t.pairs_plain, minus) * us_per_map_chunk,
             pairs_chunk_indices);
  fmt::print("INFO by_key_checkpoint_time_ratio_np{} {:.3f}\n", np,
             per_rep(t.pairs_with, t.pairs_plain, ratio));
  fmt::print("INFO resume_us_per_chunk_np{} {:.4f} (every chunk from the journal)\n", np,
             bench::median(t.resumed) * us_per_chunk);
  fmt::print("INFO resume_cost_per_chunk_us_np{} {:.4f} (resumed minus computed)\n", np,
             per_rep(t.resumed, t.plain, minus) * us_per_chunk);
  fmt::print("INFO journal_open_ms_np{} {:.3f} ({} records in {} files, read by every rank)\n", np,
             bench::median(t.open_full) * 1e3, chunks, kept_files.size());
  return 0;
}
