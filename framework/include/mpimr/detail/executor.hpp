// Runs the chunks of a plan on the ranks of a context: picks the chunk source for the schedule,
// captures exceptions, cancels the other ranks, and agrees on the outcome before anything is
// combined.
#pragma once

#include <cstdint>
#include <string>

#include "mpimr/context.hpp"
#include "mpimr/detail/chunk_plan.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/options.hpp"

namespace mpimr::detail {

struct execution_request {
  chunk_plan plan{};
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::string label;
  /// Non-empty when this rank found the arguments invalid. The rank still takes part in the
  /// agreement (with no chunks) so that every rank throws instead of some of them hanging.
  std::string invalid_argument;
};

/// For operations that exchange data between ranks while chunks run (the key-value shuffle).
struct exchange_hooks {
  /// Takes in what other ranks sent; called while this rank waits for others after its loop.
  function_ref<void()> poll;
  /// Called once after the loop on every rank and every path (also after a failure), before the
  /// agreement: completes the exchange. An exception from it fails the operation everywhere.
  function_ref<void()> complete;
};

/// Runs `run_chunk` for every chunk this rank is given. After the loop every rank compares
/// `result_fingerprint()` (the shape of its partial result, mixed with the plan) with the others.
/// Throws mpimr::invalid_argument or mpimr::task_error on every rank when any rank failed.
void execute(context& ctx, const execution_request& request,
             function_ref<void(const chunk&)> run_chunk,
             function_ref<std::uint64_t()> result_fingerprint,
             const exchange_hooks* exchange = nullptr);

/// Inside a chunk that waits for other ranks: answers their pending chunk requests if this rank
/// hands out chunks between its own (rank 0 without MPI_THREAD_MULTIPLE), so nobody waits for a
/// rank that waits for them.
void serve_scheduler(context& ctx);

/// Validates the range and options into a request; argument errors are recorded, not thrown.
[[nodiscard]] execution_request make_request(index_range range, const options& opts);

}  // namespace mpimr::detail
