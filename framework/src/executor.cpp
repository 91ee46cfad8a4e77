// The chunk loop shared by every operation, and the agreement on its outcome.
#include "mpimr/detail/executor.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cancel_channel.hpp"
#include "chunk_sources.hpp"
#include "context_state.hpp"
#include "mpimr/detail/adaptive_blocks.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/stop.hpp"
#include "progress_meter.hpp"
#include "schedule_environment.hpp"

namespace mpimr::detail {
namespace {

enum class failure_kind : std::uint8_t { none = 0, invalid_argument = 1, task = 2, stop = 3 };

struct local_outcome {
  failure_kind kind = failure_kind::none;
  std::uint64_t chunk_id = task_error::no_chunk;
  std::string message;
  std::int32_t signal_number = 0;  // for failure_kind::stop

  [[nodiscard]] bool failed() const noexcept { return kind != failure_kind::none; }
};

/// Runs one chunk; with `stats`, also counts it and the time inside it, and tells `progress` (one
/// clock read after the chunk serves both).
void run_counted(const chunk& c, function_ref<void(const chunk&)> run_chunk, operation_stats* stats,
                 progress_meter* progress) {
  if (stats == nullptr && progress == nullptr) {
    run_chunk(c);
    return;
  }
  using clock = std::chrono::steady_clock;
  const clock::time_point start = stats != nullptr ? clock::now() : clock::time_point{};
  try {
    run_chunk(c);
  } catch (...) {
    if (stats != nullptr) {
      stats->busy_seconds += std::chrono::duration<double>(clock::now() - start).count();
    }
    throw;
  }
  const clock::time_point end = clock::now();
  if (stats != nullptr) {
    stats->busy_seconds += std::chrono::duration<double>(end - start).count();
    ++stats->chunks;
    stats->items += c.size();
  }
  if (progress != nullptr) progress->chunk_done(end);
}

void run_loop(chunk_source& source, cancel_channel& cancel, const chunk_plan& plan,
              function_ref<void(const chunk&)> run_chunk, local_outcome& outcome,
              operation_stats* stats, progress_meter* progress) {
  for (;;) {
    const id_batch batch = source.next();
    if (batch.empty()) {
      // A stop asked for during this rank's last chunk ends this operation, not the next one
      // (whose first chunks would otherwise be journaled after the stop).
      if (stop_requested()) {
        outcome = {failure_kind::stop, task_error::no_chunk, "stop requested", stop_signal()};
        cancel.notify_others();
      }
      return;
    }
    for (std::uint64_t id = batch.first; id < batch.last; ++id) {
      if (cancel.cancelled()) {
        source.cancel();
        return;
      }
      if (stop_requested()) {
        // Like a failure: no new chunk here, and the other ranks are told to stop too.
        outcome = {failure_kind::stop, task_error::no_chunk, "stop requested", stop_signal()};
        source.cancel();
        cancel.notify_others();
        return;
      }
      try {
        run_counted(plan.at(id), run_chunk, stats, progress);
        continue;
      } catch (const std::exception& e) {
        outcome = {failure_kind::task, id, e.what()};
      } catch (...) {
        outcome = {failure_kind::task, id, "unknown exception (not derived from std::exception)"};
      }
      source.cancel();
      cancel.notify_others();
      return;
    }
  }
}

/// Whether `range` was kept for `plan` at this rank count (and not for another plan whose
/// fingerprint is the same).
bool same_range(const adaptive_range& range, const chunk_plan& plan, int ranks) {
  return range.bounds().size() == static_cast<std::size_t>(ranks) + 1 &&
         range.bounds().back() == plan.chunk_count;
}

/// The adaptive schedule's bounds for `plan`: those the previous call over the same range and chunk
/// size left, else the static blocks. Looks only: the table changes in `rebalance` alone, which
/// every rank reaches or none, so every rank's table holds the same entries.
std::vector<std::uint64_t> adaptive_bounds_for(const context_state& s, const chunk_plan& plan) {
  const auto found = s.adaptive_ranges.find(plan.fingerprint());
  if (found != s.adaptive_ranges.end() && same_range(found->second, plan, s.size)) {
    return found->second.bounds();
  }
  return even_block_bounds(plan.chunk_count, s.size);
}

/// After an adaptive call that succeeded on every rank: every rank learns every rank's time inside
/// its block and keeps the moved bounds for the next call over the same range and chunk size.
void rebalance(context_state& s, const chunk_plan& plan, double seconds) {
  if (s.size < 2) return;
  std::vector<double> all(static_cast<std::size_t>(s.size));
  MPI_Allgather(&seconds, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, s.comm);
  // Programs that sweep ever new ranges would grow the table without end; starting over costs
  // each range one call at static blocks.
  constexpr std::size_t most_ranges = 1024;
  if (s.adaptive_ranges.size() >= most_ranges && !s.adaptive_ranges.contains(plan.fingerprint())) {
    s.adaptive_ranges.clear();
  }
  auto [found, added] = s.adaptive_ranges.try_emplace(plan.fingerprint(), plan.chunk_count, s.size);
  if (!added && !same_range(found->second, plan, s.size)) {
    found->second = adaptive_range(plan.chunk_count, s.size);
  }
  found->second.record(all);
}

/// The exchange must complete on every rank, failed or not, or some rank would wait for its data.
void complete_exchange(const exchange_hooks& exchange, cancel_channel& cancel,
                       local_outcome& outcome) {
  try {
    exchange.complete();
    return;
  } catch (const std::exception& e) {
    if (outcome.failed()) return;  // the first failure is the one to report
    outcome = {failure_kind::task, task_error::no_chunk, e.what()};
  } catch (...) {
    if (outcome.failed()) return;
    outcome = {failure_kind::task, task_error::no_chunk, "unknown exception in the key exchange"};
  }
  // Every failed rank sends cancel messages: the agreement below counts on them.
  cancel.notify_others();
}

/// Every rank learns the first failure (lowest failing rank) and throws it.
[[noreturn]] void throw_agreed_failure(const context_state& s, const local_outcome& mine,
                                       cancel_channel& cancel, std::string_view label) {
  std::array<int, 2> local{mine.failed() ? 1 : 0, mine.failed() ? -s.rank : -INT_MAX};
  std::array<int, 2> global{};
  MPI_Allreduce(local.data(), global.data(), 1, MPI_INT, MPI_SUM, s.comm);
  MPI_Allreduce(&local[1], &global[1], 1, MPI_INT, MPI_MAX, s.comm);
  const int failed_ranks = global[0];
  const int root = -global[1];
  cancel.drain(failed_ranks - local[0]);

  byte_buffer report;
  if (s.rank == root) {
    byte_writer w(report);
    w.pod(static_cast<std::uint8_t>(mine.kind));
    w.pod(mine.chunk_id);
    w.pod(mine.signal_number);
    codec<std::string>::encode(w, mine.message);
  }
  bcast_bytes(s.comm, root, report);
  byte_reader r(report);
  const auto kind = static_cast<failure_kind>(r.pod<std::uint8_t>());
  const auto chunk_id = r.pod<std::uint64_t>();
  const auto signal_number = r.pod<std::int32_t>();
  std::string message;
  codec<std::string>::decode(r, message);
  // A rank that found the arguments bad itself reports its own words; the others say where.
  if (mine.kind == failure_kind::invalid_argument) throw invalid_argument(mine.message);
  if (kind == failure_kind::invalid_argument) {
    throw invalid_argument("on rank " + std::to_string(root) + ": " + message);
  }
  if (kind == failure_kind::stop) throw interrupted(root, signal_number);
  throw task_error(root, chunk_id, message, label);
}

}  // namespace

execution_request make_request(index_range range, const options& opts) {
  execution_request request;
  request.schedule = opts.schedule;
  request.label = opts.label;
  try {
    if (opts.schedule < schedule::automatic || opts.schedule > schedule::adaptive) {
      throw invalid_argument("unknown schedule value " +
                             std::to_string(static_cast<int>(opts.schedule)));
    }
    // What the code leaves open (automatic, chunk size 0), MPIMR_SCHEDULE may set.
    std::uint64_t chunk_size = opts.chunk_size;
    if (opts.schedule == schedule::automatic || chunk_size == 0) {
      const schedule_default fallback = schedule_from_environment();
      if (opts.schedule == schedule::automatic) request.schedule = fallback.schedule;
      if (chunk_size == 0) chunk_size = fallback.chunk_size;
    }
    request.plan = make_chunk_plan(range, chunk_size);
  } catch (const invalid_argument& e) {
    request.invalid_argument = e.what();
  }
  return request;
}

void serve_scheduler(context& ctx) {
  if (chunk_source* source = ctx.state().active_source) source->serve();
}

void execute(context& ctx, const execution_request& request,
             function_ref<void(const chunk&)> run_chunk,
             function_ref<std::uint64_t()> result_fingerprint, const exchange_hooks* exchange) {
  context_state& s = ctx.state();
  const std::uint64_t operation = s.operation_count++;
  local_outcome outcome;
  if (!request.invalid_argument.empty()) {
    outcome = {failure_kind::invalid_argument, task_error::no_chunk, request.invalid_argument};
  }
  cancel_channel cancel(s.comm);
  // On every rank alike (the settings agree, see below), also for bad arguments: rank 0 then waits
  // for exactly one final count from every other rank.
  std::optional<progress_meter> progress;
  if (s.progress_on) progress.emplace(s, request.plan.chunk_count, request.label);
  operation_stats* stats = s.current.depth > 0 ? &s.current : nullptr;
  if (stats != nullptr) {
    stats->label = request.label;
    stats->schedule = request.schedule;
    stats->chunk_size = request.plan.chunk_size;
    stats->chunk_count = request.plan.chunk_count;
    stats->range_size = request.plan.range.size();
  }
  const bool adaptive = request.schedule == schedule::adaptive && !outcome.failed();
  const std::vector<std::uint64_t> bounds =
      adaptive ? adaptive_bounds_for(s, request.plan) : std::vector<std::uint64_t>{};
  double loop_seconds = 0;  // adaptive: this rank's time inside its block
  {
    // Every rank builds its source even with bad arguments: a service host must still answer and
    // a client must still say goodbye, or the ranks with good arguments would wait forever.
    source_request wanted{
        outcome.failed() ? 0 : request.plan.chunk_count, request.schedule, operation, {}};
    if (adaptive) {
      const auto r = static_cast<std::size_t>(s.rank);
      wanted.block = {bounds[r], bounds[r + 1]};
    }
    const auto source = make_chunk_source(s, wanted);
    if (outcome.failed()) {
      source->cancel();
      cancel.notify_others();
    } else {
      s.active_source = source.get();
      using clock = std::chrono::steady_clock;
      const clock::time_point loop_start = adaptive ? clock::now() : clock::time_point{};
      run_loop(*source, cancel, request.plan, run_chunk, outcome, stats,
               progress ? &*progress : nullptr);
      if (adaptive) loop_seconds = std::chrono::duration<double>(clock::now() - loop_start).count();
      s.active_source = nullptr;
    }
    // Before waiting for anyone: rank 0 learns this rank's count without waiting for the others.
    if (progress) progress->loop_done();
    const auto nothing = [] {};
    source->finish(exchange != nullptr ? exchange->poll : function_ref<void()>(nothing));
  }
  if (exchange != nullptr) complete_exchange(*exchange, cancel, outcome);
  // The next operation's slot is free: every rank finished the previous operation before this one
  // began. Resetting it before the collective below means nobody can take from it too early.
  if (s.node_rank == 0) {
    std::atomic_ref<std::uint64_t>(s.slot_for(operation + 1).next_chunk)
        .store(0, std::memory_order_release);
  }

  // The schedule too: ranks that read different MPIMR_SCHEDULE values (or pass different
  // schedules) computed some chunks twice or not at all, and must not return a result.
  const std::uint64_t plan_print = hash_combine(
      hash_combine(request.plan.fingerprint(), static_cast<std::uint64_t>(request.schedule)),
      s.progress_on ? 1U : 0U);
  const std::uint64_t shape_print = outcome.failed() ? 0 : result_fingerprint();
  std::array<std::uint64_t, 5> agreement{outcome.failed() ? 1U : 0U, plan_print, ~plan_print,
                                         shape_print, ~shape_print};
  // This rank's writes in its chunks happen before the agreement, so that a rank which returns
  // from it and fences (node_shared_block::sync) sees every rank's writes to node-shared memory:
  // fill_and_reduce into a shared_array needs no node barrier of its own. A full fence is what
  // MPI_Win_sync is on shared memory.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  MPI_Allreduce(MPI_IN_PLACE, agreement.data(), 5, MPI_UINT64_T, MPI_MAX, s.comm);
  if (progress) {
    // Ranks with other progress settings never sent counts: rank 0 must not wait for them.
    const bool same_plan = agreement[1] == ~agreement[2];
    progress->close(agreement[0] == 0 && same_plan && agreement[3] == ~agreement[4], same_plan);
  }
  if (agreement[0] != 0) throw_agreed_failure(s, outcome, cancel, request.label);
  cancel.drain(0);
  if (agreement[1] != ~agreement[2]) {
    throw invalid_argument(
        "ranks called the operation with different ranges, chunk sizes or schedules");
  }
  if (agreement[3] != ~agreement[4]) {
    throw invalid_argument(
        "partial results have different shapes on different ranks; the identity must have the "
        "shape of "
        "every result");
  }
  if (adaptive) rebalance(s, request.plan, loop_seconds);
}

}  // namespace mpimr::detail
