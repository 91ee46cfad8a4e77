// Memory that the ranks of one node share: an MPI-3 shared-memory window, aligned for any use.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>

namespace mpimr::detail {

/// Bytes shared windows are aligned to: a cache line, and alignof of any type mpimr keeps there.
inline constexpr std::uint64_t node_window_alignment = 64;

/// Collective over `node_comm`. Node rank 0 allocates `bytes` (the others pass anything) in a new
/// shared-memory window, stored in `*window`; returns, on every rank, the address of the same
/// byte: the first 64-byte boundary of rank 0's segment.
[[nodiscard]] std::byte* allocate_node_window(MPI_Comm node_comm, std::uint64_t bytes,
                                              MPI_Win* window);

}  // namespace mpimr::detail
