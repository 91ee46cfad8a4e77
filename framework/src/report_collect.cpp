// Turns each rank's operation_stats into the run_report every rank holds after an operation: one
// MPI_Allgather of six numbers per rank (host names once per context).
#include <mpi.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstring>
#include <exception>

#include "context_state.hpp"
#include "mpimr/detail/report_scope.hpp"

namespace mpimr::detail {
namespace {

void gather_hosts(context_state& s) {
  std::array<char, MPI_MAX_PROCESSOR_NAME> mine{};
  int length = 0;
  MPI_Get_processor_name(mine.data(), &length);
  std::vector<char> all(mine.size() * static_cast<std::size_t>(s.size));
  MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_CHAR, all.data(),
                static_cast<int>(mine.size()), MPI_CHAR, s.comm);
  s.hosts.resize(static_cast<std::size_t>(s.size));
  for (std::size_t r = 0; r < s.hosts.size(); ++r) {
    const char* name = all.data() + r * mine.size();
    s.hosts[r].assign(name, strnlen(name, mine.size()));
  }
}

std::string schedule_that_ran(mpimr::schedule requested) {
  // `automatic` runs the dynamic schedule (see chunk_sources.cpp).
  return std::string(to_string(requested == schedule::automatic ? schedule::dynamic : requested));
}

}  // namespace

void begin_report(context& ctx) noexcept {
  context_state& s = ctx.state();
  if (!s.reporting || s.current.depth++ > 0) return;
  const int depth = s.current.depth;
  s.current = operation_stats{};
  s.current.depth = depth;
  s.current.traffic_at_start = traffic_now();
  s.current.start = std::chrono::steady_clock::now();
}

void abandon_report(context& ctx) noexcept {
  context_state& s = ctx.state();
  if (s.current.depth > 0) --s.current.depth;
}

void end_report(context& ctx) noexcept {
  context_state& s = ctx.state();
  if (s.current.depth == 0 || --s.current.depth > 0) return;
  const operation_stats& op = s.current;
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - op.start;
  const traffic_totals now = traffic_now();
  constexpr int fields = 6;
  const std::array<std::uint64_t, fields> mine{op.chunks,
                                               op.items,
                                               std::bit_cast<std::uint64_t>(op.busy_seconds),
                                               std::bit_cast<std::uint64_t>(wall.count()),
                                               now.sent - op.traffic_at_start.sent,
                                               now.received - op.traffic_at_start.received};
  try {
    if (s.hosts.empty()) gather_hosts(s);
    std::vector<std::uint64_t> all(fields * static_cast<std::size_t>(s.size));
    MPI_Allgather(mine.data(), fields, MPI_UINT64_T, all.data(), fields, MPI_UINT64_T, s.comm);
    run_report report;
    report.label = op.label;
    report.schedule = schedule_that_ran(op.schedule);
    report.chunk_size = op.chunk_size;
    report.chunk_count = op.chunk_count;
    report.items = op.range_size;
    report.operations = 1;
    report.ranks.resize(static_cast<std::size_t>(s.size));
    for (std::size_t r = 0; r < report.ranks.size(); ++r) {
      const std::uint64_t* f = all.data() + r * fields;
      const double busy = std::bit_cast<double>(f[2]);
      const double rank_wall = std::bit_cast<double>(f[3]);
      report.ranks[r] = {static_cast<int>(r),
                         s.hosts[r],
                         f[0],
                         f[1],
                         busy,
                         rank_wall > busy ? rank_wall - busy : 0.0,
                         f[4],
                         f[5]};
      report.wall_seconds = std::max(report.wall_seconds, rank_wall);
    }
    accumulate(s.total_report, report);
    s.last_report = std::move(report);
  } catch (const std::exception&) {
    // Out of memory for a report: the operation's result matters more; keep the previous one.
  }
}

}  // namespace mpimr::detail
