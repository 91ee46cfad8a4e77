// Running task commands as child processes: each one `/bin/sh -c LINE` in its own process group,
// stdin from /dev/null, stdout and stderr to files; timeouts, retries and a requested stop end the
// whole group (SIGTERM, a grace period, SIGKILL), and nothing a task started outlives it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace farm {

struct run_limits {
  double timeout_seconds = 0;  // per attempt; 0: none
  double grace_seconds = 5;    // between SIGTERM and SIGKILL
  std::uint32_t retries = 0;   // further attempts after a failed one
};

struct task_job {
  std::uint64_t number = 0;  // from 1: names the output files
  const std::string* command = nullptr;
};

struct task_outcome {
  int exit_status = -1;  // -1 when a signal ended the command
  int signal = 0;
  int spawn_errno = 0;  // posix_spawn failed (exit_status is then 127)
  bool timed_out = false;
  bool interrupted = false;   // running at the farm's stop and did not exit 0
  std::int64_t start_ns = 0;  // wall clock (Unix epoch) of the first attempt's start
  std::int64_t end_ns = 0;    // and of the last attempt's end
  double seconds = 0;         // all attempts, monotonic clock
  std::uint32_t attempts = 0;
  [[nodiscard]] bool succeeded() const noexcept {
    return exit_status == 0 && !timed_out && !interrupted;
  }
};

/// The wall clock, in nanoseconds since the Unix epoch.
[[nodiscard]] std::int64_t wall_ns();

/// The output file of task `number`: DIR/task-000042.out (or .err).
[[nodiscard]] std::string output_file(const std::string& folder, std::uint64_t number,
                                      const char* suffix);

/// Runs `jobs` all at once, each retried up to `limits.retries` times after a failure, and returns
/// their outcomes in order once every one ended. On mpimr::stop_requested() it starts nothing more,
/// sends SIGTERM to every running group, SIGKILL after the grace period, and marks those outcomes
/// interrupted.
[[nodiscard]] std::vector<task_outcome> run_together(std::span<const task_job> jobs,
                                                     const std::string& output_folder,
                                                     const run_limits& limits);

}  // namespace farm
