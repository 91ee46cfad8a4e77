// Counts the payload bytes mpimr moves between ranks, for the run report: each transfer function
// adds what this process sent and received; a report takes the difference over an operation.
#pragma once

#include <atomic>
#include <cstdint>

namespace mpimr::detail {

struct traffic_totals {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
};

// Process-wide: one operation runs at a time per context, and processes rarely hold two busy
// contexts at once (their reports would then share these counts). Relaxed: only totals matter.
inline std::atomic<std::uint64_t> traffic_sent{0};
inline std::atomic<std::uint64_t> traffic_received{0};

inline void count_sent(std::uint64_t bytes) noexcept {
  traffic_sent.fetch_add(bytes, std::memory_order_relaxed);
}
inline void count_received(std::uint64_t bytes) noexcept {
  traffic_received.fetch_add(bytes, std::memory_order_relaxed);
}
/// `bytes` broadcast from `root` to the other `size - 1` ranks, as rank `rank` sees it.
inline void count_broadcast(int rank, int root, int size, std::uint64_t bytes) noexcept {
  if (rank == root) {
    count_sent(bytes * static_cast<std::uint64_t>(size - 1));
  } else {
    count_received(bytes);
  }
}
[[nodiscard]] inline traffic_totals traffic_now() noexcept {
  return {traffic_sent.load(std::memory_order_relaxed),
          traffic_received.load(std::memory_order_relaxed)};
}

}  // namespace mpimr::detail
