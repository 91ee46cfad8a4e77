// The chunk sources that need no messages: static blocks and the node-shared counter; and the
// factory that picks a source for a schedule.
#include "chunk_sources.hpp"

#include <utility>

#include "mpimr/detail/chunk_plan.hpp"
#include "service_dispenser.hpp"

namespace mpimr::detail {
namespace {

/// One block of chunk ids: rank r of P takes [r*C/P, (r+1)*C/P) (see static_block_start) under
/// the static schedule, the block the previous calls measured under the adaptive one.
class static_block_source final : public chunk_source {
 public:
  explicit static_block_source(id_batch block) noexcept : batch_(block) {}
  id_batch next() override { return std::exchange(batch_, id_batch{}); }

 private:
  id_batch batch_;
};

class node_counter_source final : public chunk_source {
 public:
  node_counter_source(std::uint64_t& counter, std::uint64_t count, schedule kind,
                      int ranks) noexcept
      : dispenser_(counter, count, kind, ranks) {}
  id_batch next() override { return dispenser_.next(); }
  void cancel() override { dispenser_.exhaust(); }

 private:
  counter_dispenser dispenser_;
};

}  // namespace

std::unique_ptr<chunk_source> make_chunk_source(context_state& state,
                                                const source_request& request) {
  if (request.kind == schedule::static_blocks) {
    return std::make_unique<static_block_source>(
        id_batch{static_block_start(request.chunk_count, state.rank, state.size),
                 static_block_start(request.chunk_count, state.rank + 1, state.size)});
  }
  if (request.kind == schedule::adaptive) {
    return std::make_unique<static_block_source>(request.block);
  }
  const schedule kind = request.kind == schedule::guided ? schedule::guided : schedule::dynamic;
  if (state.dispenser == dispenser_kind::service && state.size > 1) {
    if (state.rank == 0) return std::make_unique<service_host>(state, request.chunk_count, kind);
    return std::make_unique<service_client>(state.comm);
  }
  return std::make_unique<node_counter_source>(state.slot_for(request.operation).next_chunk,
                                               request.chunk_count, kind, state.size);
}

}  // namespace mpimr::detail
