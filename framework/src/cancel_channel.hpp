// Tells the other ranks to stop taking chunks when this one failed, and notices when another did.
#pragma once

#include <mpi.h>

#include <chrono>
#include <vector>

namespace mpimr::detail {

/// A failing rank sends a one-byte message to every other rank; the others look for it between
/// chunks, at most once per poll interval so that near-empty chunks do not pay an MPI_Iprobe each.
/// Messages are drained after the outcome is agreed, so none leaks into the next operation.
class cancel_channel {
 public:
  explicit cancel_channel(MPI_Comm comm);
  cancel_channel(const cancel_channel&) = delete;
  cancel_channel& operator=(const cancel_channel&) = delete;
  ~cancel_channel();

  void notify_others();
  /// True once another rank's cancel message has arrived.
  [[nodiscard]] bool cancelled();
  /// Receives `incoming` cancel messages and completes the sends of this rank.
  void drain(int incoming);

 private:
  static constexpr auto poll_interval = std::chrono::milliseconds(1);

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  bool seen_ = false;
  std::chrono::nanoseconds next_poll_;  // on poll_clock (cancel_channel.cpp)
  char payload_ = 0;
  std::vector<MPI_Request> sends_;
};

}  // namespace mpimr::detail
