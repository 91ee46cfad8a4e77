// The job the fault tests (fault_test.py) break: a long dynamic-schedule reduce or key-value
// map-reduce whose ranks each print one "underway" line with their pid, so a test kills at a known
// point instead of after a guessed sleep. Built on the public headers only, as a user's job is.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

constexpr const char* usage =
    "usage: fault_victim [--operation reduce|by_key] [--chunks N] [--chunk-ms MS]\n"
    "                    [--first-chunk-ms MS] [--exit-rank R --exit-file PATH]\n"
    "                    [--checkpoint DIR]\n"
    "Runs N chunks (default 1000000), each sleeping MS milliseconds (default 2), on a dynamic\n"
    "schedule. Every rank prints 'underway rank R pid P' from its first chunk. Rank R calls\n"
    "_exit(3), without MPI_Finalize, at its first chunk after PATH exists. --first-chunk-ms: each\n"
    "rank's first chunk sleeps that long instead (a rank busy in one long chunk). Without a fault "
    "rank 0\n"
    "prints the result: 'sum S' (S = sum of i*i over chunk ids i) for reduce, 'keys K total T'\n"
    "for by_key (chunk i emits 1000 pairs ((1000 i + j) mod 5003, 1)). Exit code 75 when the\n"
    "job was interrupted by a signal (mpimr::interrupted). --checkpoint: the reduce runs in\n"
    "deterministic mode under an mpimr::checkpoint in DIR; rank 0 also prints 'resumed N', the\n"
    "chunks taken from the journal over all ranks.\n";

struct settings {
  bool by_key = false;
  std::uint64_t chunks = 1'000'000;
  std::uint64_t chunk_ms = 2;
  std::uint64_t first_chunk_ms = 0;  // 0: like the others
  int exit_rank = -1;
  std::string exit_file;
  std::string checkpoint;  // journal folder; empty: none
};

/// A bad command line, thrown by parse(); every rank parses alike, rank 0 alone says so.
struct bad_arguments {
  std::string message;
};

std::uint64_t parse_count(std::string_view name, const std::string& text) {
  std::size_t used = 0;
  std::uint64_t value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || text[0] == '-' || used != text.size()) {
    throw bad_arguments{std::string("bad ").append(name).append(" '").append(text).append("'")};
  }
  return value;
}

/// Returns nothing after --help.
std::optional<settings> parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help") return std::nullopt;
    if (i + 1 >= argc) {
      throw bad_arguments{std::string("missing value after '").append(flag).append("'")};
    }
    const std::string value = argv[++i];
    if (flag == "--operation" && (value == "reduce" || value == "by_key")) {
      s.by_key = value == "by_key";
    } else if (flag == "--chunks") {
      s.chunks = parse_count(flag, value);
    } else if (flag == "--chunk-ms") {
      s.chunk_ms = parse_count(flag, value);
    } else if (flag == "--first-chunk-ms") {
      s.first_chunk_ms = parse_count(flag, value);
    } else if (flag == "--exit-rank") {
      const std::uint64_t rank = parse_count(flag, value);
      if (rank > std::numeric_limits<int>::max()) {
        throw bad_arguments{std::string("bad --exit-rank '").append(value).append("'")};
      }
      s.exit_rank = static_cast<int>(rank);
    } else if (flag == "--exit-file") {
      s.exit_file = value;
    } else if (flag == "--checkpoint") {
      s.checkpoint = value;
    } else {
      throw bad_arguments{
          std::string("bad argument '").append(flag).append(" ").append(value).append("'")};
    }
  }
  return s;
}

/// What every chunk does before its own work: say once that this rank is underway, leave without
/// finalizing when asked to, and take time without taking a core (the tests oversubscribe).
class chunk_start {
 public:
  chunk_start(const settings& s, int rank) : settings_(s), rank_(rank) {}

  void operator()() {
    if (!announced_) {
      announced_ = true;
      std::printf("underway rank %d pid %ld\n", rank_, static_cast<long>(getpid()));
      std::fflush(stdout);
      if (settings_.first_chunk_ms != 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(settings_.first_chunk_ms));
        return;
      }
    }
    if (rank_ == settings_.exit_rank && std::filesystem::exists(settings_.exit_file)) {
      std::printf("exiting rank %d pid %ld\n", rank_, static_cast<long>(getpid()));
      std::fflush(stdout);
      _exit(3);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(settings_.chunk_ms));
  }

 private:
  const settings& settings_;
  int rank_;
  bool announced_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  // Every path leaves through the destructors, so MPI is finalized and mpirun reports this exit
  // code, not an abort: only the faults the tests make are faults.
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const bool print = ctx.rank() == 0;
  std::optional<settings> parsed;
  try {
    parsed = parse(argc, argv);
  } catch (const bad_arguments& e) {
    if (print) std::fprintf(stderr, "fault_victim: %s\n", e.message.c_str());
    return 2;
  }
  if (!parsed) {
    if (print) std::fputs(usage, stdout);
    return 0;
  }
  const settings& s = *parsed;
  chunk_start start(s, ctx.rank());
  const mpimr::options opts{.schedule = mpimr::schedule::dynamic,
                            .chunk_size = 1,
                            .deterministic = !s.checkpoint.empty()};
  std::optional<mpimr::checkpoint> journal;
  try {
    if (s.by_key) {
      const auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
          ctx, mpimr::index_range{0, s.chunks},
          [&](std::uint64_t i, const auto& emit) {
            start();
            for (std::uint64_t j = 0; j < 1000; ++j) emit((1000 * i + j) % 5003, 1);
          },
          std::plus<>{}, opts);
      const std::uint64_t keys = counts.size();
      const std::uint64_t total = counts.reduce_values(std::uint64_t{0}, std::plus<>{});
      if (print) {
        std::printf("keys %llu total %llu\n", static_cast<unsigned long long>(keys),
                    static_cast<unsigned long long>(total));
      }
    } else {
      if (!s.checkpoint.empty()) {
        journal.emplace(ctx, mpimr::checkpoint_settings{.folder = s.checkpoint,
                                                        .key = "sum " + std::to_string(s.chunks)});
      }
      const std::uint64_t sum = mpimr::reduce(
          ctx, mpimr::index_range{0, s.chunks}, std::uint64_t{0},
          [&](const mpimr::chunk& c) {
            start();
            return c.begin * c.begin;
          },
          std::plus<>{}, opts);
      if (journal) {
        // The chunks every rank took from the journal, summed by a reduce of one chunk per rank.
        const std::uint64_t resumed = journal->resumed_chunks();
        journal->complete();
        const std::uint64_t all = mpimr::reduce(
            ctx, mpimr::index_range{0, static_cast<std::uint64_t>(ctx.size())}, std::uint64_t{0},
            [&](const mpimr::chunk&) { return resumed; }, std::plus<>{},
            {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
        if (print) std::printf("resumed %llu\n", static_cast<unsigned long long>(all));
      }
      if (print) std::printf("sum %llu\n", static_cast<unsigned long long>(sum));
    }
  } catch (const mpimr::interrupted& e) {
    if (print) std::fprintf(stderr, "fault_victim: %s\n", e.what());
    return 75;
  } catch (const mpimr::error& e) {
    if (print) std::fprintf(stderr, "fault_victim: %s\n", e.what());
    return 1;
  }
  return 0;
}
