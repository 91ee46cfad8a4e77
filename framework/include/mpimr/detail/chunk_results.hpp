// Giving every rank the results that other ranks wrote into their chunks' places of one array
// (map's exchange for plain result types), without packing or copying them.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "mpimr/detail/chunk_plan.hpp"

namespace mpimr::detail {

/// Results that travel as their bytes, written by each rank straight into its chunks' places.
template <class R>
concept raw_result = std::is_trivially_copyable_v<R> && !std::is_same_v<R, bool>;

/// True when share_chunk_results can describe the plan's chunks to MPI (every chunk, and the
/// number of chunks, countable by an int). Depends on the plan alone, so every rank agrees.
[[nodiscard]] bool chunk_results_shareable(const chunk_plan& plan) noexcept;

/// Collective. Every rank has written the results of the chunks `mine` (ids, in any order) into
/// their places in `results`, an array of the plan's range with `element_bytes` per index. On
/// return every rank's array holds every chunk's results. The data moves straight from each
/// rank's array into the others' (one broadcast per rank, with a datatype that picks out that
/// rank's chunks): no packing, no copy. With `static_blocks`, every rank knows where every rank's
/// block lies, so one in-place allgatherv does it without first exchanging the chunk lists.
void share_chunk_results(MPI_Comm comm, const chunk_plan& plan, std::byte* results,
                         std::size_t element_bytes, std::vector<std::uint64_t> mine,
                         bool static_blocks);

}  // namespace mpimr::detail
