// The untyped part of mpimr::shared_array: the node-shared window, and agreeing on its size.
#include "mpimr/shared_array.hpp"

#include <mpi.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "context_state.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

namespace {

// MPI_Win_allocate_shared promises no alignment beyond the basic types' (Open MPI 4 has returned an
// address 8 bytes past a 64-byte boundary), so the owner allocates this much more and the data
// starts at the first boundary in it.
constexpr std::uint64_t alignment = 64;

}  // namespace

node_shared_block::node_shared_block(context& ctx, std::uint64_t bytes) {
  const context_state& s = ctx.state();
  node_comm_ = s.node_comm;
  node_rank_ = s.node_rank;
  node_size_ = s.node_size;
  if (bytes > static_cast<std::uint64_t>(std::numeric_limits<MPI_Aint>::max()) - alignment) {
    std::string message("mpimr::shared_array: ");
    message.append(std::to_string(bytes)).append(" bytes are more than MPI can allocate");
    throw invalid_argument(message);
  }
  const auto own = static_cast<MPI_Aint>(node_rank_ == 0 ? bytes + alignment : 0);
  void* base = nullptr;
  // Every rank takes part even when the allocation fails on the owner: Open MPI then aborts the job
  // with its own message (MPI_ERRORS_ARE_FATAL), which is what an out-of-memory node gets anyway.
  MPI_Win_allocate_shared(own, 1, MPI_INFO_NULL, node_comm_, &base, &window_);
  MPI_Aint size = 0;
  int unit = 0;
  MPI_Win_shared_query(window_, 0, &size, &unit, &base);
  // The owner's offset, not each rank's own: a process may map the segment at an address that
  // differs modulo 64, and all must use the same bytes.
  auto padding = static_cast<int>((alignment - reinterpret_cast<std::uintptr_t>(base) % alignment) %
                                  alignment);
  MPI_Bcast(&padding, 1, MPI_INT, 0, node_comm_);
  data_ = static_cast<std::byte*>(base) + padding;
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
