// The table rank 0 prints once all tasks are joined: which process ran which tasks, and the
// combined result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "task.hpp"

namespace workers {

/// Sum of the task checksums modulo 2^64: the same whichever process ran which task.
[[nodiscard]] std::uint64_t combined_checksum(const std::vector<task_record>& records) noexcept;

/// The summary: a header line, one row per process of this run (`run`) that ran tasks (rank,
/// host, pid, how many, which, in the order it ran them), one line for the tasks that earlier runs
/// finished (taken from the checkpoint journal), if any, and the combined checksum. `ranks` is how
/// many ranks there were; ranks that took no task have no row.
[[nodiscard]] std::string format_summary(const std::vector<task_record>& records, int ranks,
                                         std::string_view schedule, double seconds,
                                         std::uint64_t run);

}  // namespace workers
