// The group of ranks an operation runs on: a private duplicate of the caller's communicator plus
// the node-local state the schedulers share.
#pragma once

#include <mpi.h>

#include <memory>

#include "mpimr/progress.hpp"
#include "mpimr/run_report.hpp"

namespace mpimr {

namespace detail {
struct context_state;
}

struct context_settings {
  /// Ends the job, with one line naming the silent ranks and exit code 69, when some rank has
  /// shown no sign of life for this many seconds: stopped, hung, or cut off by the network (MPI
  /// itself would wait forever). A rank busy in a long chunk is alive: a thread on every rank sends
  /// heartbeats. 0: no limit; at most 1e9 (about 31 years). Negative (the default): the
  /// MPIMR_STALL_LIMIT environment variable, or no limit. Needs MPI_THREAD_MULTIPLE (what
  /// mpimr::environment asks for).
  double stall_limit_seconds = -1;
  /// Progress lines of every operation on rank 0's stderr (see progress.hpp); set_progress changes
  /// them later.
  progress_settings progress{};
};

/// Collective to construct and to destroy on every rank of the communicator. Operations on one
/// context must be called in the same order on every rank (like MPI collectives).
class context {
 public:
  /// Works on a duplicate of MPI_COMM_WORLD.
  context();
  /// Works on a duplicate of `comm`, which the caller keeps owning and may go on using freely.
  explicit context(MPI_Comm comm);
  context(MPI_Comm comm, const context_settings& settings);
  ~context();

  context(context&&) noexcept;
  context& operator=(context&&) noexcept;
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  [[nodiscard]] int rank() const noexcept;
  [[nodiscard]] int size() const noexcept;
  /// Number of ranks that share this rank's node (shared memory).
  [[nodiscard]] int node_size() const noexcept;
  /// Number of distinct nodes the context spans.
  [[nodiscard]] int node_count() const noexcept;
  /// mpimr's private communicator, for code that needs raw MPI next to mpimr (not needed
  /// otherwise).
  [[nodiscard]] MPI_Comm communicator() const noexcept;

  /// What the last operation that completed on this context did (the same on every rank):
  /// `operations` is 0 before the first one. A failed operation leaves the previous report.
  [[nodiscard]] const run_report& last_report() const noexcept;
  /// Every operation completed since the context was made, added up (`operations` counts them).
  [[nodiscard]] const run_report& total_report() const noexcept;
  /// Reports are on by default and cost one gather of a few numbers per rank per operation; off,
  /// operations neither time their chunks nor gather. Set it alike on every rank.
  void set_reporting(bool on) noexcept;

  /// Progress of the operations to come (see progress.hpp). Set it alike on every rank: it decides
  /// whether ranks send their counts to rank 0. Throws mpimr::invalid_argument for an interval
  /// that is not a number from 0 to 1e6.
  void set_progress(const progress_settings& settings);
  /// Whether the operations to come show progress (the same on every rank).
  [[nodiscard]] bool progress_shown() const noexcept;

  /// Internal state used by the execution layer.
  [[nodiscard]] detail::context_state& state() const noexcept { return *state_; }

 private:
  std::unique_ptr<detail::context_state> state_;
};

}  // namespace mpimr
