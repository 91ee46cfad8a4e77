// The group of ranks an operation runs on: a private duplicate of the caller's communicator plus
// the node-local state the schedulers share.
#pragma once

#include <mpi.h>

#include <memory>

namespace mpimr {

namespace detail {
struct context_state;
}

/// Collective to construct and to destroy on every rank of the communicator. Operations on one
/// context must be called in the same order on every rank (like MPI collectives).
class context {
 public:
  /// Works on a duplicate of MPI_COMM_WORLD.
  context();
  /// Works on a duplicate of `comm`, which the caller keeps owning and may go on using freely.
  explicit context(MPI_Comm comm);
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

  /// Internal state used by the execution layer.
  [[nodiscard]] detail::context_state& state() const noexcept { return *state_; }

 private:
  std::unique_ptr<detail::context_state> state_;
};

}  // namespace mpimr
