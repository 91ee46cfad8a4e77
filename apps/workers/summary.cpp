// The summary table of the workers app (see summary.hpp).
#include "summary.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <map>

namespace workers {
namespace {

/// A process's row lists at most this many task ids; more would make the table unreadable.
constexpr std::size_t ids_shown = 16;

std::string task_ids(const std::vector<const task_record*>& ran) {
  std::string out;
  for (std::size_t i = 0; i < ran.size() && i < ids_shown; ++i) {
    if (i != 0) out += ' ';
    out += std::to_string(ran[i]->task);
  }
  if (ran.size() > ids_shown) out += fmt::format(" ... ({} more)", ran.size() - ids_shown);
  return out;
}

}  // namespace

std::uint64_t combined_checksum(const std::vector<task_record>& records) noexcept {
  std::uint64_t sum = 0;
  for (const task_record& r : records) sum += r.checksum;
  return sum;
}

std::string format_summary(const std::vector<task_record>& records, int ranks,
                           std::string_view schedule, double seconds, std::uint64_t run) {
  std::map<int, std::vector<const task_record*>> by_rank;
  // Processes of earlier runs are gone, and their ranks are not this run's: one line for them all.
  std::vector<const task_record*> earlier;
  std::size_t host_width = 4;
  for (const task_record& r : records) {
    if (r.run != run) {
      earlier.push_back(&r);
      continue;
    }
    by_rank[r.process.rank].push_back(&r);
    host_width = std::max(host_width, r.process.host_name().size());
  }
  std::string out = fmt::format(
      "summary: {} task(s) on {} rank(s), schedule {}, {:.3f} s; {} process(es) ran tasks:\n",
      records.size(), ranks, schedule, seconds, by_rank.size());
  out += fmt::format("  {:>5}  {:<{}}  {:>8}  {:>5}  {}\n", "rank", "host", host_width, "pid",
                     "tasks", "task ids (in the order the process ran them)");
  for (auto& [rank, ran] : by_rank) {
    // A process runs one task at a time, so its start times order its tasks.
    std::sort(ran.begin(), ran.end(), [](const task_record* a, const task_record* b) {
      return a->started < b->started || (a->started == b->started && a->task < b->task);
    });
    const process_id& p = ran.front()->process;
    out += fmt::format("  {:>5}  {:<{}}  {:>8}  {:>5}  {}\n", rank, p.host_name(), host_width,
                       p.pid, ran.size(), task_ids(ran));
  }
  if (!earlier.empty()) {  // in task order
    out += fmt::format("  from the checkpoint: {} task(s) finished by an earlier run: {}\n",
                       earlier.size(), task_ids(earlier));
  }
  out += fmt::format("combined checksum {:#018x} (sum of the {} task checksums, mod 2^64)\n",
                     combined_checksum(records), records.size());
  return out;
}

}  // namespace workers
