// mpimr::run_report: what the last operation did on each rank (chunks, items, busy and waiting
// time, bytes moved) and how well the ranks shared the work; as a table or as JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mpimr {

/// One rank's share of an operation. Times are this rank's own clock.
struct rank_report {
  int rank = 0;
  std::string host;
  std::uint64_t chunks = 0;  // chunks this rank ran (taken from a checkpoint journal included)
  std::uint64_t items = 0;   // indices of those chunks (for text input: file splits)
  double busy_seconds = 0;   // inside the operation's body, summed over this rank's chunks
  /// The rest of this rank's time in the operation: waiting for chunks, exchanging results,
  /// collectives, and idling until the slowest rank finished.
  double wait_seconds = 0;
  /// Payload bytes mpimr moved for the operation (results, shuffled pairs, encoded partials); a
  /// broadcast counts its bytes once per receiving rank on the sender. Control messages (chunk
  /// requests, sizes, agreements) are not counted.
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
};

struct run_report {
  std::string label;              // options.label; in a run total: the common label, or empty
  std::string schedule;           // the schedule that ran ("auto" resolved); "mixed" in a run total
  std::uint64_t chunk_size = 0;   // indices per chunk (0 in a run total of different sizes)
  std::uint64_t chunk_count = 0;  // chunks of the operation (summed in a run total)
  std::uint64_t items = 0;        // size of the operation's range (summed in a run total)
  std::uint64_t operations = 0;   // 1 for one operation; 0 before any operation completed
  double wall_seconds = 0;        // longest time any rank spent in the operation
  std::vector<rank_report> ranks;  // indexed by rank

  /// Largest busy time over the mean busy time: 1 is perfect balance (also when nothing ran).
  [[nodiscard]] double load_imbalance() const noexcept;
  /// Sum of busy times over (ranks x wall time), in [0, 1]: the share of the ranks' time spent
  /// computing.
  [[nodiscard]] double parallel_efficiency() const noexcept;
};

/// Adds `operation` to `total` (counts and times summed, per rank too).
void accumulate(run_report& total, const run_report& operation);

/// An aligned table: one line per rank and a summary line, each ending in a newline.
[[nodiscard]] std::string format_table(const run_report& report);

/// The report as JSON text (fields documented in docs/run_report.md), with the mpimr version.
[[nodiscard]] std::string to_json(const run_report& report);

/// Writes to_json(report) to `path` whole or not at all (mpimr::atomic_file); throws mpimr::error
/// naming the file when it cannot be written.
void write_json(const run_report& report, const std::filesystem::path& path);

}  // namespace mpimr
