// Child processes of the farm (see child.hpp). A child's exit is seen through a pidfd without
// reaping it (waitid WNOWAIT), so that its group is killed while the zombie still holds the group
// id: the id cannot be reused by another rank's new task in between.
#include "child.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <mpimr/mpimr.hpp>
#include <string_view>
#include <vector>

extern char** environ;  // NOLINT: POSIX names it so

namespace farm {
namespace {

using clock = std::chrono::steady_clock;

/// The farm's environment without what the MPI launcher put there for the farm's own ranks
/// (OMPI_*, PMIX_*, PMI_*, ...): a task that is itself an MPI program would otherwise try to join
/// the farm's job instead of starting as a singleton. Open MPI's permission to run as root stays.
/// Made once per rank; its strings are environ's own.
char** task_environment() {
  static std::vector<char*> kept = [] {
    std::vector<char*> out;
    constexpr std::string_view launcher_prefixes[] = {"OMPI_", "PMIX_",    "PMI_",   "OPAL_",
                                                      "ORTE_", "PRTE_",    "HYDRA_", "HYDI_",
                                                      "MPIR_", "MPI_LOCAL"};
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view entry(*e);
      bool drop = false;
      for (const std::string_view prefix : launcher_prefixes)
        drop = drop || entry.starts_with(prefix);
      if (entry.starts_with("OMPI_ALLOW_RUN_AS_ROOT")) drop = false;
      if (!drop) out.push_back(*e);
    }
    out.push_back(nullptr);
    return out;
  }();
  return kept.data();
}

/// Starts `/bin/sh -c command`; returns its pid, or -errno when it could not be started (an output
/// file that cannot be created, no process left).
pid_t spawn(const std::string& command, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  // MPI's sockets and shared memory are none of the task's business.
  posix_spawn_file_actions_addclosefrom_np(&files, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group (for killing it whole), default handlers for the signals mpimr and MPI
  // catch or ignore, and nothing blocked.
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int s :
       {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD, SIGALRM, SIGXFSZ}) {
    sigaddset(&defaults, s);
  }
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  std::string shell = "sh";
  std::string dash_c = "-c";
  std::string line = command;
  char* argv[] = {shell.data(), dash_c.data(), line.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/bin/sh", &files, &attributes, argv, task_environment());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&files);
  return rc == 0 ? pid : -rc;
}

struct running {
  std::size_t slot = 0;
  pid_t pid = 0;
  int pidfd = -1;
  clock::time_point started;
  clock::time_point deadline = clock::time_point::max();  // of the timeout
  clock::time_point kill_at = clock::time_point::max();   // SIGKILL after SIGTERM's grace
};

clock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

std::int64_t wall_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::string output_file(const std::string& folder, std::uint64_t number, const char* suffix) {
  return fmt::format("{}/task-{:06}.{}", folder, number, suffix);
}

std::vector<task_outcome> run_together(std::span<const task_job> jobs,
                                       const std::string& output_folder, const run_limits& limits) {
  std::vector<task_outcome> outcomes(jobs.size());
  std::vector<clock::time_point> first_start(jobs.size());
  std::vector<running> live;
  bool stopping = false;

  // Starts an attempt of job `slot`; false when it could not start (recorded as exit 127).
  const auto start = [&](std::size_t slot) {
    task_outcome& o = outcomes[slot];
    const auto now = clock::now();
    if (o.attempts == 0) {
      o.start_ns = wall_ns();
      first_start[slot] = now;
    }
    ++o.attempts;
    const pid_t pid =
        spawn(*jobs[slot].command, output_file(output_folder, jobs[slot].number, "out"),
              output_file(output_folder, jobs[slot].number, "err"));
    if (pid < 0) {
      o.exit_status = 127;
      o.signal = 0;
      o.spawn_errno = -pid;
      o.end_ns = wall_ns();
      o.seconds = std::chrono::duration<double>(clock::now() - first_start[slot]).count();
      return false;
    }
    running r{slot, pid, static_cast<int>(syscall(SYS_pidfd_open, pid, 0)), now};
    if (limits.timeout_seconds > 0) r.deadline = now + to_duration(limits.timeout_seconds);
    live.push_back(r);
    return true;
  };
  // Whether a finished attempt of `slot` gets another one.
  const auto retry = [&](std::size_t slot) {
    return !stopping && !outcomes[slot].succeeded() && outcomes[slot].attempts <= limits.retries;
  };

  if (mpimr::stop_requested()) {
    for (task_outcome& o : outcomes) o.interrupted = true;
    return outcomes;
  }
  for (std::size_t slot = 0; slot < jobs.size(); ++slot) {
    while (!start(slot) && retry(slot)) {
    }
  }
  std::vector<pollfd> fds;
  while (!live.empty()) {
    if (!stopping && mpimr::stop_requested()) {
      stopping = true;
      const auto kill_at = clock::now() + to_duration(limits.grace_seconds);
      for (running& r : live) {
        kill(-r.pid, SIGTERM);
        r.kill_at = std::min(r.kill_at, kill_at);
      }
    }
    // Sleep until a child ends, a deadline passes, or at most 100 ms (a stop request is seen then;
    // a signal to this thread also ends the poll early).
    auto wake = clock::now() + std::chrono::milliseconds(100);
    fds.clear();
    for (const running& r : live) {
      wake = std::min({wake, r.deadline, r.kill_at});
      if (r.pidfd >= 0) fds.push_back({r.pidfd, POLLIN, 0});
    }
    const bool all_pidfds = fds.size() == live.size();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - clock::now()).count();
    // Without pidfds (old kernels), look again every 2 ms.
    if (!all_pidfds) wait = std::min<decltype(wait)>(wait, 2);
    poll(fds.data(), fds.size(), static_cast<int>(std::max<decltype(wait)>(wait, 0)));

    const auto now = clock::now();
    for (std::size_t k = 0; k < live.size();) {
      running& r = live[k];
      siginfo_t info{};
      const int seen = waitid(P_PID, static_cast<id_t>(r.pid), &info, WEXITED | WNOHANG | WNOWAIT);
      // ECHILD: someone else reaped it (SIGCHLD set to SIG_IGN by a library): it ended, status
      // unknown (recorded as the error).
      const bool lost = seen != 0 && errno == ECHILD;
      if ((seen == 0 && info.si_pid == r.pid) || lost) {
        int status = 0;
        if (!lost) {
          // Whatever the task left running in its group ends with it (a lost child's group id
          // may already belong to someone else).
          kill(-r.pid, SIGKILL);
          waitpid(r.pid, &status, 0);
        }
        if (r.pidfd >= 0) close(r.pidfd);
        task_outcome& o = outcomes[r.slot];
        o.exit_status = WIFEXITED(status) && !lost ? WEXITSTATUS(status) : -1;
        if (lost) o.spawn_errno = ECHILD;
        o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        // Nothing starts after the stop, so every task ending now was running then; one that
        // still exited 0 did its work.
        o.interrupted = stopping && o.exit_status != 0;
        o.end_ns = wall_ns();
        o.seconds = std::chrono::duration<double>(now - first_start[r.slot]).count();
        const std::size_t slot = r.slot;
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
        if (retry(slot)) {
          o.timed_out = false;
          while (!start(slot) && retry(slot)) {
          }
        }
        continue;
      }
      if (now >= r.kill_at) {
        kill(-r.pid, SIGKILL);
        r.kill_at = clock::time_point::max();
      } else if (now >= r.deadline) {
        outcomes[r.slot].timed_out = true;
        kill(-r.pid, SIGTERM);
        r.deadline = clock::time_point::max();
        r.kill_at = now + to_duration(limits.grace_seconds);
      }
      ++k;
    }
  }
  return outcomes;
}

}  // namespace farm
