// The shuffle of a key-value map-reduce: combined records travel to the rank that owns their key
// in rounds of at most a byte budget per rank (so input far larger than memory for one exchange
// still completes), and are combined again on arrival.
#pragma once

#include <array>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>

#include "mpimr/context.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/combining_table.hpp"

namespace mpimr::detail {

/// Collective. Empties `local` into `owned`, which afterwards holds exactly the keys this rank
/// owns, each combined over every rank's values. A combine that throws on any rank ends the shuffle
/// on every rank with mpimr::task_error.
template <class K, class V, class Combine>
void shuffle_to_owners(context& ctx, combining_table<K, V, Combine>& local,
                       combining_table<K, V, Combine>& owned, std::uint64_t round_bytes) {
  const MPI_Comm comm = ctx.communicator();
  std::optional<std::string> failure;
  for (;;) {
    // Every rank takes part in every round, with or without data, until no rank has any left.
    std::vector<byte_buffer> outgoing(static_cast<std::size_t>(ctx.size()));
    if (!failure) {
      try {
        outgoing = local.drain_by_owner(ctx.size(), round_bytes);
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
    const auto incoming = alltoall_bytes(comm, outgoing);
    if (!failure) {
      try {
        for (const auto& records : incoming) {
          for_each_record<K, V>(
              records, [&](K&& key, V&& value) { owned.emit(std::move(key), std::move(value)); });
        }
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
    std::array<int, 2> state{!failure && !local.empty() ? 1 : 0, failure ? 1 : 0};
    MPI_Allreduce(MPI_IN_PLACE, state.data(), 2, MPI_INT, MPI_MAX, comm);
    if (state[1] != 0) throw_first_failure(comm, failure);
    if (state[0] == 0) return;
  }
}

}  // namespace mpimr::detail
