// Cancel messages between ranks (see cancel_channel.hpp).
#include "cancel_channel.hpp"

#include <time.h>

#include "mpimr/detail/byte_transport.hpp"

namespace mpimr::detail {
namespace {

/// The time for the poll interval, read once per chunk. A precise clock read is a quarter of a
/// near-empty chunk's cost under a virtual machine's kvm-clock (perf of bench_call_overhead at
/// 16 elements per chunk, 2 ranks: 23% of the samples in the vDSO's clock_gettime); the coarse
/// clock returns the kernel's last tick (1-10 ms apart) without reading the hardware, which only
/// makes the 1 ms interval up to a tick long.
std::chrono::nanoseconds poll_clock() noexcept {
#ifdef CLOCK_MONOTONIC_COARSE
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
#else
  return std::chrono::steady_clock::now().time_since_epoch();
#endif
}

}  // namespace

cancel_channel::cancel_channel(MPI_Comm comm) : comm_(comm), next_poll_(poll_clock()) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

cancel_channel::~cancel_channel() {
  if (!sends_.empty())
    MPI_Waitall(static_cast<int>(sends_.size()), sends_.data(), MPI_STATUSES_IGNORE);
}

void cancel_channel::notify_others() {
  if (!sends_.empty()) return;
  for (int peer = 0; peer < size_; ++peer) {
    if (peer == rank_) continue;
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Isend(&payload_, 1, MPI_CHAR, peer, tag_cancel, comm_, &request);
    sends_.push_back(request);
  }
}

bool cancel_channel::cancelled() {
  if (seen_ || size_ == 1) return seen_;
  const std::chrono::nanoseconds now = poll_clock();
  if (now < next_poll_) return false;
  next_poll_ = now + poll_interval;
  int pending = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, tag_cancel, comm_, &pending, MPI_STATUS_IGNORE);
  seen_ = pending != 0;
  return seen_;
}

void cancel_channel::drain(int incoming) {
  for (int i = 0; i < incoming; ++i) {
    char byte = 0;
    MPI_Recv(&byte, 1, MPI_CHAR, MPI_ANY_SOURCE, tag_cancel, comm_, MPI_STATUS_IGNORE);
  }
  if (!sends_.empty())
    MPI_Waitall(static_cast<int>(sends_.size()), sends_.data(), MPI_STATUSES_IGNORE);
  sends_.clear();
}

}  // namespace mpimr::detail
