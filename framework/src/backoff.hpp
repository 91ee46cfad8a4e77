// How a rank waits for other ranks without burning a core it may share with them: poll without
// sleeping for a short window after the last event, then sleep for doubling times up to a cap.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace mpimr::detail {

class backoff {
 public:
  /// Call once per poll; `progressed` says whether the poll found something to do.
  void pause(bool progressed) {
    const auto now = clock::now();
    if (progressed) {
      last_progress_ = now;
      sleep_ = std::chrono::microseconds(1);
      return;
    }
    // After an event the next one usually follows soon.
    if (now - last_progress_ < busy_poll_window) return;
    std::this_thread::sleep_for(sleep_);
    sleep_ = std::min(sleep_ * 2, longest_sleep);
  }

 private:
  using clock = std::chrono::steady_clock;
  static constexpr auto busy_poll_window = std::chrono::microseconds(20);
  // Bounds the extra latency of an answer to ~100 us while idle.
  static constexpr auto longest_sleep = std::chrono::microseconds(100);

  clock::time_point last_progress_ = clock::now();
  std::chrono::microseconds sleep_{1};
};

}  // namespace mpimr::detail
