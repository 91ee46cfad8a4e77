// The worker function (see worker.hpp).
#include "worker.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace workers {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// One write per line, flushed: under mpirun stdout is a pipe, which would otherwise hold the
/// lines back until the process ends, and a line written in one piece is never cut by another
/// rank's.
void say(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

process_id this_process(int rank) {
  process_id p;
  p.rank = rank;
  p.pid = static_cast<std::int32_t>(::getpid());
  if (::gethostname(p.host.data(), p.host.size() - 1) != 0) std::strcpy(p.host.data(), "?");
  p.host.back() = '\0';  // gethostname need not terminate a name it cut
  return p;
}

std::uint64_t this_run(mpimr::context& ctx) {
  auto run = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                        std::chrono::nanoseconds(1));
  mpimr::broadcast(ctx, run, 0);
  return run;
}

task_record run_task(std::uint64_t task, const work_settings& work, const process_id& process,
                     std::uint64_t run, std::chrono::steady_clock::time_point start) {
  task_record r;
  r.task = task;
  r.run = run;
  r.process = process;
  r.started = seconds_since(start);
  say(fmt::format("[{:8.3f} s] task {} started on rank {} (host {}, pid {})\n", r.started, task,
                  process.rank, process.host_name(), process.pid));
  r.checksum = task_checksum(task, work.iterations);
  if (work.sleep_ms != 0) std::this_thread::sleep_for(std::chrono::milliseconds(work.sleep_ms));
  r.ended = seconds_since(start);
  say(
      fmt::format("[{:8.3f} s] task {} ended   on rank {} (host {}, pid {}) after {:.3f} s, "
                  "checksum {:#018x}\n",
                  r.ended, task, process.rank, process.host_name(), process.pid,
                  r.ended - r.started, r.checksum));
  return r;
}

}  // namespace workers
