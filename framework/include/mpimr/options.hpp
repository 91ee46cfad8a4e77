// Options accepted by every operation; an aggregate so callers write {.schedule = ..., .chunk_size
// = ...}.
#pragma once

#include <cstdint>
#include <string_view>

namespace mpimr {

/// How chunks are handed to ranks.
enum class schedule {
  /// mpimr picks: currently `dynamic`, whose per-chunk cost on one node is a shared-memory atomic.
  automatic,
  /// Rank r takes one contiguous block of chunk ids; no communication at all while computing.
  static_blocks,
  /// Each rank takes the next chunk when it is free: balances uneven chunks.
  dynamic,
  /// Like dynamic, but takes batches of chunks that shrink as the work runs out (fewer hand-outs).
  guided,
  /// Like static (one contiguous block per rank, in rank order, nothing handed out while
  /// computing), but the block bounds move from one call to the next toward equal time on every
  /// rank, from each rank's measured time inside its chunks in the last three calls over the same
  /// range and chunk size (the median; the first call does not count). For iterations that repeat
  /// the same operation (power iteration, Jacobi, k-means) on ranks that are not equally fast
  /// (other jobs, turbo, virtual CPUs) or rows that are not equally costly: each rank keeps
  /// nearly the same rows from call to call, which dynamic does not. Costs one MPI_Allgather of a
  /// value per rank per call. The first two calls over a range and chunk size run the static
  /// blocks.
  adaptive,
};

[[nodiscard]] std::string_view to_string(schedule s) noexcept;
/// Parses "auto", "static", "dynamic", "guided" or "adaptive"; throws mpimr::invalid_argument
/// naming the bad text.
[[nodiscard]] schedule parse_schedule(std::string_view text);

struct options {
  mpimr::schedule schedule = mpimr::schedule::automatic;
  /// Indices per chunk; 0 lets mpimr choose from the range size alone (never from the rank count).
  std::uint64_t chunk_size = 0;
  /// When true, reductions join partial results in a fixed tree over chunk ids, so the result is
  /// bitwise identical for any rank count and schedule, also for floating-point joins.
  bool deterministic = false;
  /// Memory budget of a key-value shuffle per rank, apart from the keys the rank owns (0: 64 MiB).
  /// The map-side combining table is sent on to the owners whenever its contents pass a third of
  /// it (its storage may hold up to two thirds); the batch in flight takes at most the other third.
  /// Input of any size runs within it.
  std::uint64_t shuffle_buffer_bytes = 0;
  /// A name for the operation: part of its identity in a checkpoint journal, so that two
  /// operations over the same range are never confused; also named in its run report, its
  /// progress lines and the what() of a task_error it throws.
  std::string_view label{};
};

}  // namespace mpimr
