// One row of the farm's results table as it travels from the rank that ran the task to rank 0 and
// into the checkpoint journal: plain bytes (trivially copyable), the host name included.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "child.hpp"

namespace farm {

struct task_record {
  std::uint64_t task = 0;  // from 1; 0: the task did not run
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  double seconds = 0;
  std::int32_t exit_status = -1;
  std::int32_t signal = 0;
  std::int32_t spawn_errno = 0;
  std::int32_t rank = -1;
  std::uint32_t attempts = 0;
  std::uint8_t timed_out = 0;
  char host[72] = {};  // Linux host names have at most 64 bytes

  [[nodiscard]] bool ran() const noexcept { return task != 0; }
  [[nodiscard]] bool succeeded() const noexcept {
    return ran() && exit_status == 0 && timed_out == 0;
  }
  [[nodiscard]] std::string_view host_name() const noexcept { return host; }
};

/// The record of task `number` (from 1) that `rank` on `host` ran with `outcome`.
[[nodiscard]] task_record make_record(std::uint64_t number, const task_outcome& outcome, int rank,
                                      std::string_view host);

/// "ok", "failed", "timeout" or "not_run".
[[nodiscard]] std::string_view status_of(const task_record& r);

}  // namespace farm
