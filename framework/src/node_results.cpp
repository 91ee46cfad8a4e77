// share_node_chunk_results (see detail/node_results.hpp).
#include "mpimr/detail/node_results.hpp"

#include <mpi.h>

#include <cstddef>
#include <utility>

#include "context_state.hpp"
#include "mpimr/context.hpp"
#include "mpimr/detail/chunk_results.hpp"
#include "mpimr/shared_array.hpp"

namespace mpimr::detail {
namespace {

/// The chunk ids of every rank of the node, on its first rank (empty on the others).
std::vector<std::uint64_t> gather_node_ids(const context_state& s,
                                           const std::vector<std::uint64_t>& mine) {
  const int own = static_cast<int>(mine.size());  // fewer than 2^30 (chunk_results_shareable)
  const bool leader = s.node_rank == 0;
  std::vector<int> counts(leader ? static_cast<std::size_t>(s.node_size) : 0);
  MPI_Gather(&own, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, s.node_comm);
  std::vector<int> starts(counts.size());
  int total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    starts[r] = total;
    total += counts[r];
  }
  std::vector<std::uint64_t> ids(static_cast<std::size_t>(total));
  MPI_Gatherv(mine.data(), own, MPI_UINT64_T, ids.data(), counts.data(), starts.data(),
              MPI_UINT64_T, 0, s.node_comm);
  return ids;
}

}  // namespace

void share_node_chunk_results(context& ctx, const node_shared_block& block, const chunk_plan& plan,
                              std::size_t element_bytes, std::vector<std::uint64_t> mine) {
  const context_state& s = ctx.state();
  if (s.node_count == 1) {
    // The writes were made before execute's agreement, each rank's after its fence there, and the
    // agreement orders them before this: the reader's half of publish() is all that is left. A
    // node barrier here cost 0.55 us of the 4.4 us a call costs at 2 ranks (bench_call_overhead).
    block.sync();
    return;
  }
  // The node's writes, seen by all of its ranks (and so by its leader, which sends them on).
  block.publish();
  std::vector<std::uint64_t> node_ids = gather_node_ids(s, mine);
  if (s.leader_comm != MPI_COMM_NULL) {
    share_chunk_results(s.leader_comm, plan, block.data(), element_bytes, std::move(node_ids),
                        false);
  }
  // What the leader received, seen by the rest of its node.
  block.publish();
}

}  // namespace mpimr::detail
