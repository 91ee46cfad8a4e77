// Making and naming the farm's task records (see record.hpp).
#include "record.hpp"

#include <algorithm>
#include <cstring>

namespace farm {

task_record make_record(std::uint64_t number, const task_outcome& outcome, int rank,
                        std::string_view host) {
  task_record r;
  // Zero the padding too: the record is journaled and sent as raw bytes.
  std::memset(static_cast<void*>(&r), 0, sizeof r);
  r.task = number;
  r.start_ns = outcome.start_ns;
  r.end_ns = outcome.end_ns;
  r.seconds = outcome.seconds;
  r.exit_status = outcome.exit_status;
  r.signal = outcome.signal;
  r.spawn_errno = outcome.spawn_errno;
  r.rank = rank;
  r.attempts = outcome.attempts;
  r.timed_out = outcome.timed_out ? 1 : 0;
  const std::size_t n = std::min(host.size(), sizeof r.host - 1);
  std::memcpy(r.host, host.data(), n);
  return r;
}

std::string_view status_of(const task_record& r) {
  if (!r.ran()) return "not_run";
  if (r.timed_out != 0) return "timeout";
  return r.exit_status == 0 ? "ok" : "failed";
}

}  // namespace farm
