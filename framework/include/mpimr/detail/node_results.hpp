// Completing an array that the ranks of each node share (mpimr::shared_array) after they wrote
// their chunks' results into it: a barrier on one node, an exchange among node leaders on several.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mpimr/detail/chunk_plan.hpp"

namespace mpimr {
class context;
}  // namespace mpimr

namespace mpimr::detail {

class node_shared_block;

/// Collective over the context. Every rank has written the results of the chunks `mine` into their
/// places in `block` (an array of the plan's range, `element_bytes` per index, shared by the ranks
/// of the node). On return every rank sees every chunk's results. On one node nothing moves: the
/// ranks only wait for each other (MPI_Win_sync, barrier, MPI_Win_sync). On several, each node's
/// chunk ids are gathered on its first rank and the node leaders exchange their nodes' results as
/// share_chunk_results does, straight into the shared memory, so each result crosses between
/// nodes once per node instead of once per rank.
void share_node_chunk_results(context& ctx, const node_shared_block& block, const chunk_plan& plan,
                              std::size_t element_bytes, std::vector<std::uint64_t> mine);

}  // namespace mpimr::detail
