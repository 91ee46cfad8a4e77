// The worker function of the workers app: runs one task in whatever process took it and says so on
// stdout as it starts and as it ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <mpimr/mpimr.hpp>

#include "task.hpp"

namespace workers {

struct work_settings {
  std::uint64_t iterations = 0;  // compute: steps of task_checksum
  std::uint64_t sleep_ms = 0;    // waiting, as for I/O: the core is free meanwhile
};

/// This process: its rank, pid and host name.
[[nodiscard]] process_id this_process(int rank);

/// Collective: an id of this run, the same on every rank and different in every run (rank 0's
/// clock in nanoseconds).
[[nodiscard]] std::uint64_t this_run(mpimr::context& ctx);

/// Prints "task N started ...", computes, sleeps, prints "task N ended ...", each line flushed at
/// once so that lines from all ranks appear as things happen. `start` is when the ranks started.
[[nodiscard]] task_record run_task(std::uint64_t task, const work_settings& work,
                                   const process_id& process, std::uint64_t run,
                                   std::chrono::steady_clock::time_point start);

}  // namespace workers
