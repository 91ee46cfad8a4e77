// The job of the cluster tests' dynamic-balance check (cluster_test.py balance): rank 0's first
// chunk ends only once every other chunk is done, so the job completes only if the other ranks, on
// every node, keep taking chunks while rank 0 (which hosts the scheduler's state) computes.
// Built on the public headers only, as a user's job is.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mpimr/mpimr.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr const char* usage =
    "usage: balance_probe --done-dir DIR [--chunks N] [--chunk-ms MS] [--limit-s S]\n"
    "Runs N one-index chunks (default 60) on a dynamic schedule. Rank 0's first chunk creates\n"
    "DIR/inside, then waits until DIR holds a file per other chunk; every other chunk waits for\n"
    "DIR/inside, sleeps MS milliseconds (default 20) and creates DIR/<index>. Waits give up after\n"
    "S seconds (default 60). Rank 0 prints 'nodes K', 'rank0_waited yes|no' (whether it saw every\n"
    "other chunk done) and per rank 'rank R host H chunks C'.\n";

struct settings {
  std::uint64_t chunks = 60;
  std::uint64_t chunk_ms = 20;
  std::uint64_t limit_s = 60;
  std::filesystem::path done_dir;
};

/// Returns the number in `text`, or nothing unless it is all digits.
bool parse_count(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      text.size() > 18) {
    return false;
  }
  value = std::stoull(text);
  return true;
}

/// Empty when the arguments are good, else the one line saying what is wrong.
std::string parse(int argc, char** argv, settings& s) {
  for (int i = 1; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return std::string("missing value after '").append(flag).append("'");
    const std::string value = argv[i + 1];
    bool good = true;
    if (flag == "--chunks") {
      good = parse_count(value, s.chunks) && s.chunks >= 2;
    } else if (flag == "--chunk-ms") {
      good = parse_count(value, s.chunk_ms);
    } else if (flag == "--limit-s") {
      good = parse_count(value, s.limit_s);
    } else if (flag == "--done-dir") {
      s.done_dir = value;
      good = std::filesystem::is_directory(s.done_dir);
    } else {
      return std::string("unknown option '").append(flag).append("'");
    }
    if (!good) return std::string("bad ").append(flag).append(" '").append(value).append("'");
  }
  if (s.done_dir.empty()) return "--done-dir is required";
  return {};
}

std::uint64_t files_in(const std::filesystem::path& dir) {
  std::uint64_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

/// Polls `done` every 5 ms for at most `limit_s` seconds; returns whether it became true.
template <class Done>
bool wait_until(std::uint64_t limit_s, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string host_name() {
  std::string name(256, '\0');
  if (gethostname(name.data(), name.size() - 1) != 0) return "?";
  name.resize(name.find('\0'));
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const bool print = ctx.rank() == 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help") {
      if (print) std::fputs(usage, stdout);
      return 0;
    }
  }
  settings s;
  if (const std::string bad = parse(argc, argv, s); !bad.empty()) {
    if (print) std::fprintf(stderr, "balance_probe: %s\n", bad.c_str());
    return 2;
  }
  const auto inside = s.done_dir / "inside";
  bool first_on_rank0 = ctx.rank() == 0;
  bool rank0_waited = false;
  // The rank that ran each index.
  const std::vector<int> ran_by = mpimr::map(
      ctx, mpimr::index_range{0, s.chunks},
      [&](std::uint64_t index) {
        if (first_on_rank0) {
          first_on_rank0 = false;
          std::ofstream{inside};
          // Every other chunk, and "inside" itself.
          rank0_waited = wait_until(s.limit_s, [&] { return files_in(s.done_dir) == s.chunks; });
          return ctx.rank();
        }
        // Until rank 0 is inside its chunk, so that it surely has one.
        wait_until(s.limit_s, [&] { return std::filesystem::exists(inside); });
        std::this_thread::sleep_for(std::chrono::milliseconds(s.chunk_ms));
        std::ofstream{s.done_dir / std::to_string(index)};
        return ctx.rank();
      },
      {.schedule = mpimr::schedule::dynamic, .chunk_size = 1});
  // "R H" from each rank R on host H (the rank that runs an index may not be the index).
  const std::vector<std::string> hosts = mpimr::map(
      ctx, mpimr::index_range{0, static_cast<std::uint64_t>(ctx.size())},
      [&](std::uint64_t) { return std::to_string(ctx.rank()).append(" ").append(host_name()); },
      {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
  if (print) {
    std::vector<std::uint64_t> chunks(static_cast<std::size_t>(ctx.size()), 0);
    for (const int rank : ran_by) ++chunks[static_cast<std::size_t>(rank)];
    std::printf("nodes %d\nrank0_waited %s\n", ctx.node_count(), rank0_waited ? "yes" : "no");
    for (const std::string& rank_host : hosts) {
      const std::size_t space = rank_host.find(' ');
      const std::size_t r = std::stoull(rank_host.substr(0, space));
      std::printf("rank %zu host %s chunks %llu\n", r, rank_host.substr(space + 1).c_str(),
                  static_cast<unsigned long long>(chunks[r]));
    }
  }
  return 0;
}
