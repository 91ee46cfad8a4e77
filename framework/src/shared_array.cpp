// The untyped part of mpimr::shared_array: the node-shared window, and agreeing on its size.
#include "mpimr/shared_array.hpp"

#include <mpi.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "context_state.hpp"
#include "mpimr/errors.hpp"
#include "node_window.hpp"

namespace mpimr::detail {

node_shared_block::node_shared_block(context& ctx, std::uint64_t bytes) {
  const context_state& s = ctx.state();
  node_comm_ = s.node_comm;
  node_rank_ = s.node_rank;
  node_size_ = s.node_size;
  if (bytes >
      static_cast<std::uint64_t>(std::numeric_limits<MPI_Aint>::max()) - node_window_alignment) {
    std::string message("mpimr::shared_array: ");
    message.append(std::to_string(bytes)).append(" bytes are more than MPI can allocate");
    throw invalid_argument(message);
  }
  // Every rank takes part even when the allocation fails on the owner: Open MPI then aborts the job
  // with its own message (MPI_ERRORS_ARE_FATAL), which is what an out-of-memory node gets anyway.
  data_ = allocate_node_window(node_comm_, bytes, &window_);
  bytes_ = bytes;
  // Passive-target epoch for the block's life: publish() may then use MPI_Win_sync.
  MPI_Win_lock_all(MPI_MODE_NOCHECK, window_);
}

node_shared_block::~node_shared_block() { release(); }

node_shared_block::node_shared_block(node_shared_block&& other) noexcept
    : window_(std::exchange(other.window_, MPI_WIN_NULL)),
      node_comm_(std::exchange(other.node_comm_, MPI_COMM_NULL)),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      node_rank_(std::exchange(other.node_rank_, 0)),
      node_size_(std::exchange(other.node_size_, 1)) {}

node_shared_block& node_shared_block::operator=(node_shared_block&& other) noexcept {
  if (this != &other) {
    release();
    window_ = std::exchange(other.window_, MPI_WIN_NULL);
    node_comm_ = std::exchange(other.node_comm_, MPI_COMM_NULL);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    node_rank_ = std::exchange(other.node_rank_, 0);
    node_size_ = std::exchange(other.node_size_, 1);
  }
  return *this;
}

void node_shared_block::publish() const {
  if (window_ == MPI_WIN_NULL) return;
  // The unified memory model's recipe (MPI-3.1, 11.7): sync, barrier, sync.
  MPI_Win_sync(window_);
  MPI_Barrier(node_comm_);
  MPI_Win_sync(window_);
}

void node_shared_block::sync() const {
  if (window_ != MPI_WIN_NULL) MPI_Win_sync(window_);
}

void node_shared_block::release() noexcept {
  if (window_ == MPI_WIN_NULL) return;
  MPI_Win_unlock_all(window_);
  MPI_Win_free(&window_);  // collective over the node's ranks
  data_ = nullptr;
  bytes_ = 0;
}

std::uint64_t agree_on_count(context& ctx, std::optional<std::uint64_t> count, const char* what) {
  // The largest count and the largest complement give the smallest and largest in one allreduce.
  std::uint64_t extremes[2] = {count ? *count : 0, count ? ~*count : 0};
  MPI_Allreduce(MPI_IN_PLACE, extremes, 2, MPI_UINT64_T, MPI_MAX, ctx.communicator());
  const std::uint64_t largest = extremes[0];
  const std::uint64_t smallest = ~extremes[1];
  if (smallest != largest) {
    std::string message(what);
    message.append(" differ: from ").append(std::to_string(smallest));
    message.append(" to ").append(std::to_string(largest));
    throw invalid_argument(message);
  }
  return largest;
}

int node_rank_of(const context& ctx) noexcept { return ctx.state().node_rank; }

}  // namespace mpimr::detail
