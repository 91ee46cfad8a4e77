// Lock-free chunk hand-out from a shared counter.
//
// Measured cost here (Open MPI 4.1.4, 2 cores): with the counter in an MPI-3 shared-memory window,
// a hand-out is one compare-and-swap on a cache line the ranks share, about 0.05-0.1 us with 2
// ranks contending; see benchmarks/ for the per-chunk overhead of a whole dynamic operation.
#include <algorithm>

#include "chunk_sources.hpp"

namespace mpimr::detail {

id_batch counter_dispenser::next() noexcept {
  // Compare-and-swap rather than fetch_add: the counter never passes count_, so it cannot wrap even
  // for ranges of 2^64 chunks.
  std::uint64_t current = counter_.load(std::memory_order_relaxed);
  for (;;) {
    if (current >= count_) return {};
    const std::uint64_t remaining = count_ - current;
    std::uint64_t take = 1;
    if (guided_)
      take = std::max<std::uint64_t>(1, remaining / (2 * static_cast<std::uint64_t>(ranks_)));
    if (counter_.compare_exchange_weak(current, current + take, std::memory_order_relaxed)) {
      return {current, current + take};
    }
  }
}

void counter_dispenser::exhaust() noexcept {
  std::uint64_t current = counter_.load(std::memory_order_relaxed);
  while (current < count_ &&
         !counter_.compare_exchange_weak(current, count_, std::memory_order_relaxed)) {
  }
}

}  // namespace mpimr::detail
