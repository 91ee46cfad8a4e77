// The node-shared window both the context's chunk counters and mpimr::shared_array live in.
#include "node_window.hpp"

namespace mpimr::detail {

std::byte* allocate_node_window(MPI_Comm node_comm, std::uint64_t bytes, MPI_Win* window) {
  int node_rank = 0;
  MPI_Comm_rank(node_comm, &node_rank);
  // MPI_Win_allocate_shared promises no alignment beyond the basic types' (Open MPI 4 returned an
  // address 8 bytes past a 64-byte boundary), and an alignas(64) type used there is undefined
  // behaviour (UBSan: "misaligned address"). So rank 0 allocates one alignment more.
  const auto own = static_cast<MPI_Aint>(node_rank == 0 ? bytes + node_window_alignment : 0);
  void* base = nullptr;
  MPI_Win_allocate_shared(own, 1, MPI_INFO_NULL, node_comm, &base, window);
  MPI_Aint size = 0;
  int unit = 0;
  MPI_Win_shared_query(*window, 0, &size, &unit, &base);
  // Rank 0's offset, broadcast: a process may map the segment at an address that differs modulo
  // 64, and every rank must use the same bytes.
  auto padding = static_cast<int>(
      (node_window_alignment - reinterpret_cast<std::uintptr_t>(base) % node_window_alignment) %
      node_window_alignment);
  MPI_Bcast(&padding, 1, MPI_INT, 0, node_comm);
  return static_cast<std::byte*>(base) + padding;
}

}  // namespace mpimr::detail
