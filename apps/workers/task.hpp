// What one task of the workers app does and what it reports: a deterministic compute kernel whose
// checksum the test can recompute, and a record of where and when the task ran.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace workers {

/// `iterations` steps of the splitmix64 generator started at the task id, their outputs summed
/// modulo 2^64: busy work whose result depends on the task alone, never on the process running it.
[[nodiscard]] constexpr std::uint64_t task_checksum(std::uint64_t task,
                                                    std::uint64_t iterations) noexcept {
  std::uint64_t state = task;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    sum += z ^ (z >> 31U);
  }
  return sum;
}

/// Which process a task ran in. Plain data of fixed size, so a vector of records travels between
/// ranks as raw bytes.
struct process_id {
  std::int32_t rank = 0;
  std::int32_t pid = 0;
  std::array<char, 64> host{};  // NUL-terminated, cut to 63 bytes

  [[nodiscard]] std::string_view host_name() const noexcept { return host.data(); }
};

/// What a task reports back: its result and where and when it ran (seconds since the ranks started
/// together, on the clock of the process that ran it), and in which run: with --checkpoint a rerun
/// takes the records of tasks that an earlier, interrupted run finished from the journal.
struct task_record {
  std::uint64_t task = 0;
  std::uint64_t checksum = 0;
  std::uint64_t run = 0;  // the run's id (see this_run)
  double started = 0.0;
  double ended = 0.0;
  process_id process;
};

}  // namespace workers
