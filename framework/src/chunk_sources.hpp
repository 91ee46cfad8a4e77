// Where a rank gets its next chunk ids from, one kind per schedule and dispenser.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "context_state.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/options.hpp"

namespace mpimr::detail {

/// Chunk ids [first, last); empty when the work is exhausted or cancelled.
struct id_batch {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  [[nodiscard]] bool empty() const noexcept { return first >= last; }
};

/// Hands out ids from one shared counter, one at a time (dynamic) or in shrinking batches
/// (guided). The counter may live in node-shared memory or in this process: both are plain memory
/// advanced with CPU atomics, so a holder that is busy computing never delays anybody.
class counter_dispenser {
 public:
  counter_dispenser(std::uint64_t& counter, std::uint64_t chunk_count, schedule kind,
                    int ranks) noexcept
      : counter_(counter), count_(chunk_count), guided_(kind == schedule::guided), ranks_(ranks) {}

  id_batch next() noexcept;
  /// Makes every later next() empty, on every rank sharing the counter.
  void exhaust() noexcept;

 private:
  std::atomic_ref<std::uint64_t> counter_;
  std::uint64_t count_;
  bool guided_;
  int ranks_;
};

class chunk_source {
 public:
  virtual ~chunk_source() = default;
  virtual id_batch next() = 0;
  /// This rank stops: a shared dispenser stops handing out work to everybody.
  virtual void cancel() {}
  /// Answers other ranks' pending requests now, if this rank serves them between its own chunks;
  /// called by code that waits for other ranks in the middle of a chunk.
  virtual void serve() {}
  /// Called once after the loop, on every path; remote sources say goodbye here, a host waits for
  /// its clients' goodbyes and calls `idle` while it waits.
  virtual void finish(function_ref<void()> idle) { static_cast<void>(idle); }
};

struct source_request {
  std::uint64_t chunk_count = 0;
  schedule kind = schedule::dynamic;
  std::uint64_t operation = 0;  // selects the node counter slot
  id_batch block;               // adaptive: this rank's block
};

[[nodiscard]] std::unique_ptr<chunk_source> make_chunk_source(context_state& state,
                                                              const source_request& request);

}  // namespace mpimr::detail
