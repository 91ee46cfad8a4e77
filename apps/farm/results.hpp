// The farm's results table (CSV and JSON, written whole by rank 0) and its summary on stdout.
#pragma once

#include <string>
#include <vector>

#include "record.hpp"

namespace farm {

/// What the summary says besides the records.
struct run_facts {
  int ranks = 1;
  std::uint64_t per_rank = 1;
  double seconds = 0;
  std::string output_folder;
};

/// The table as CSV (RFC 4180: a header, fields with commas, quotes or newlines quoted).
[[nodiscard]] std::string results_csv(const std::vector<std::string>& commands,
                                      const std::vector<task_record>& records);
/// The same as a JSON array of objects, one per task.
[[nodiscard]] std::string results_json(const std::vector<std::string>& commands,
                                       const std::vector<task_record>& records);

/// Writes FOLDER/results.csv and FOLDER/results.json, each whole or not at all. Throws
/// mpimr::error naming a file that could not be written.
void write_results(const std::string& folder, const std::vector<std::string>& commands,
                   const std::vector<task_record>& records);

/// The summary lines: counts of tasks that succeeded, failed, timed out, were retried or did not
/// run, and the slowest tasks.
[[nodiscard]] std::string summary(const std::vector<std::string>& commands,
                                  const std::vector<task_record>& records, const run_facts& facts);

}  // namespace farm
