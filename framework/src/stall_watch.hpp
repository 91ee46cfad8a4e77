// The stall limit: a thread on every rank that exchanges heartbeats with rank 0 and ends the job
// with one clear line when some rank has given no sign of life for longer than the limit (a cut
// link, a stopped or hung process), instead of letting MPI wait until the allocation runs out.
#pragma once

#include <mpi.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace mpimr::detail {

class stall_watch {
 public:
  /// Collective. `comm` is duplicated; heartbeats travel on the duplicate only. Needs
  /// MPI_THREAD_MULTIPLE (the caller checks).
  stall_watch(MPI_Comm comm, double limit_seconds);
  /// Collective: stops the thread and takes in the heartbeats still under way.
  ~stall_watch();
  stall_watch(const stall_watch&) = delete;
  stall_watch& operator=(const stall_watch&) = delete;

 private:
  void watch();

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  double limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The longest stall limit, about 31 years: the watch waits a quarter of the limit at a time, and
/// a wait past about 292 years overflows the clock's nanoseconds (the thread then spun instead).
inline constexpr double max_stall_limit_seconds = 1e9;

/// The exit code of a process that ended the job because of a stall (EX_UNAVAILABLE).
inline constexpr int stall_exit_code = 69;

/// The stall limit in seconds from MPIMR_STALL_LIMIT (0 when unset: no limit); throws
/// mpimr::invalid_argument naming the value when it is not a number of seconds from 0 to 1e9.
[[nodiscard]] double stall_limit_from_environment();

}  // namespace mpimr::detail
