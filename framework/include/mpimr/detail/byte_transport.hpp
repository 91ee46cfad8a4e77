// Moves byte buffers of any length between ranks (split below MPI's 2^31 count limit), and reduces
// encoded values over ranks in rank order for joins MPI cannot apply itself.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/function_ref.hpp"

namespace mpimr::detail {

/// Tags of mpimr's point-to-point messages; all below 32767, the smallest MPI_TAG_UB allowed.
enum message_tag : int {
  tag_cancel = 101,
  tag_service_request = 102,
  tag_service_reply = 103,
  tag_tree = 104,
  tag_exchange = 105,
};

/// Largest piece sent in one MPI call; MPI counts are int.
inline constexpr std::uint64_t max_message_piece = std::uint64_t{1} << 30U;

/// `piece` is the largest count passed to one MPI call; tests lower it to exercise the splitting.
void send_bytes(MPI_Comm comm, int dest, int tag, std::span<const std::byte> data,
                std::uint64_t piece = max_message_piece);
[[nodiscard]] byte_buffer recv_bytes(MPI_Comm comm, int source, int tag,
                                     std::uint64_t piece = max_message_piece);
/// Every rank ends with root's buffer.
void bcast_bytes(MPI_Comm comm, int root, byte_buffer& data,
                 std::uint64_t piece = max_message_piece);

/// Every rank ends with every rank's buffer, in rank order.
[[nodiscard]] std::vector<byte_buffer> allgather_bytes(MPI_Comm comm, byte_buffer local);

/// All-to-all of byte buffers: `outgoing[d]` goes to rank d; returns what each rank sent this one,
/// indexed by source. Uses MPI_Alltoallv while every count and displacement fits an int, and split
/// point-to-point messages otherwise (`int_limit` lowers that threshold for tests). One call is one
/// shuffle round; callers bound its size by what they put in `outgoing`.
[[nodiscard]] std::vector<byte_buffer> alltoall_bytes(
    MPI_Comm comm, const std::vector<byte_buffer>& outgoing,
    std::uint64_t int_limit = static_cast<std::uint64_t>(INT32_MAX),
    std::uint64_t piece = max_message_piece);

/// Called on every rank once all know that some rank failed outside a chunk (`failure` holds this
/// rank's message, if it failed): throws mpimr::task_error naming the lowest failing rank,
/// everywhere.
[[noreturn]] void throw_first_failure(MPI_Comm comm, const std::optional<std::string>& failure);

/// MPI_Allreduce for raw buffers of any element count, split into pieces MPI can count.
void allreduce_in_place(MPI_Comm comm, void* data, std::uint64_t count, MPI_Datatype type,
                        std::size_t type_size, MPI_Op op, std::uint64_t piece = max_message_piece);

/// Joins every rank's encoded value in rank order (rank 0 leftmost) along a binomial tree and gives
/// the result to every rank. `combine(left, right)` may throw: the failure travels up the tree in
/// place of data, and every rank then throws mpimr::task_error naming the rank where it happened.
[[nodiscard]] byte_buffer ordered_allreduce_bytes(
    MPI_Comm comm, byte_buffer local,
    function_ref<byte_buffer(byte_buffer&&, byte_buffer&&)> combine);

}  // namespace mpimr::detail
