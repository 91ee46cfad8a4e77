// What a context holds: its private communicators and the node-shared scheduler slots.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "mpimr/detail/adaptive_blocks.hpp"
#include "mpimr/progress.hpp"
#include "mpimr/run_report.hpp"
#include "operation_stats.hpp"
#include "stall_watch.hpp"

namespace mpimr::detail {

class chunk_source;
class journal;
class progress_thread;

/// How dynamic and guided schedules hand out chunks.
enum class dispenser_kind {
  /// A counter in an MPI-3 shared-memory window, advanced with CPU atomics: ~0.1 us per chunk and
  /// no
  /// MPI progress needed, so a rank deep in a long chunk never delays the others. One node only.
  node_counter,
  /// A service thread on rank 0 answers chunk requests with point-to-point messages; works across
  /// nodes over TCP, where one-sided fetch-and-op stalls until the target enters MPI.
  service,
};

/// One counter per cache line so that two counters never share a line.
struct alignas(64) counter_slot {
  std::uint64_t next_chunk;
};

/// Operations alternate between two slots: the slot of the next operation is reset while every rank
/// is known to be past the previous one (see context.cpp).
inline constexpr int counter_slots = 2;

struct context_state {
  context_state() = default;
  context_state(const context_state&) = delete;
  context_state& operator=(const context_state&) = delete;
  ~context_state();

  MPI_Comm comm = MPI_COMM_NULL;  // duplicate of the caller's communicator
  // A second duplicate for the key-value exchange, whose receivers probe for any tag from any
  // source and must never take a scheduler or collective message by mistake.
  MPI_Comm exchange_comm = MPI_COMM_NULL;
  MPI_Comm node_comm = MPI_COMM_NULL;  // ranks sharing memory with this one
  // Node rank 0 of every node, when there are several nodes (else MPI_COMM_NULL): they move what
  // node-shared arrays hold between nodes (see node_results.cpp).
  MPI_Comm leader_comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
  int node_rank = 0;
  int node_size = 1;
  int node_count = 1;
  bool thread_multiple = false;
  dispenser_kind dispenser = dispenser_kind::node_counter;

  MPI_Win node_window = MPI_WIN_NULL;
  counter_slot* slots = nullptr;  // in node_window, owned by node rank 0
  std::uint64_t operation_count = 0;
  // The chunk source of the running operation, so code inside a chunk that waits for other ranks
  // can keep answering their chunk requests (see detail::serve_scheduler).
  chunk_source* active_source = nullptr;
  // The journal of the checkpoint alive on this context, if any (see mpimr::checkpoint).
  journal* active_journal = nullptr;
  // Heartbeats for the stall limit; none when no limit is set.
  std::unique_ptr<stall_watch> stall;

  // The adaptive schedule's state (adaptive_blocks.hpp) for each range and chunk size it ran, the
  // same on every rank: each call starts from the bounds the previous ones left.
  std::unordered_map<std::uint64_t, adaptive_range> adaptive_ranges;

  // Run reports (see report_collect.cpp). Off: no clock reads per chunk, no collective.
  bool reporting = true;
  operation_stats current;
  run_report last_report;
  run_report total_report;
  std::vector<std::string> hosts;  // by rank, gathered with the first report

  // Progress (see progress_meter.hpp): counts travel to rank 0 on a communicator of their own.
  MPI_Comm progress_comm = MPI_COMM_NULL;
  bool stderr_terminal = false;            // rank 0's (or its launcher's), the same on every rank
  progress_settings progress_environment;  // MPIMR_PROGRESS
  bool progress_on = false;
  double progress_interval = 10;
  std::unique_ptr<progress_thread> progress_monitor;  // rank 0, started by the first meter

  [[nodiscard]] counter_slot& slot_for(std::uint64_t operation) const noexcept {
    return slots[operation % counter_slots];
  }
};

}  // namespace mpimr::detail
