// How a rank tells the others, through mpimr's fail-together machinery, why the farm stops: the
// body of map_to throws with a marked message (a task killed by a stop, or a failure without
// --keep-going); mpimr::task_error carries it to every rank, which reads it back here.
#pragma once

#include <fmt/core.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "../common/printable.hpp"
#include "child.hpp"

namespace farm {

inline constexpr std::string_view interrupted_prefix = "farm-stop:interrupted:";
inline constexpr std::string_view failure_prefix = "farm-stop:failure:";

[[nodiscard]] inline std::string interrupted_marker(int signal_number) {
  return fmt::format("{}{}", interrupted_prefix, signal_number);
}

/// Names task `number` and how it failed.
[[nodiscard]] inline std::string failure_marker(std::uint64_t number, const task_outcome& o) {
  std::string how;
  if (o.timed_out) {
    how = "timed out";
  } else if (o.signal != 0) {
    how = fmt::format("killed by signal {}", o.signal);
  } else {
    how = fmt::format("exit status {}", o.exit_status);
  }
  return fmt::format("{}task {} failed: {}", failure_prefix, number, how);
}

struct stop_reason {
  enum kind_t { other, interrupted, failure } kind = other;
  int signal_number = 0;
  std::string text;  // of a failure
};

[[nodiscard]] inline stop_reason read_marker(std::string_view message) {
  if (message.starts_with(interrupted_prefix)) {
    message.remove_prefix(interrupted_prefix.size());
    stop_reason r{stop_reason::interrupted, 0, {}};
    std::from_chars(message.data(), message.data() + message.size(), r.signal_number);
    return r;
  }
  if (message.starts_with(failure_prefix)) {
    message.remove_prefix(failure_prefix.size());
    return {stop_reason::failure, 0, std::string(message)};
  }
  return {};
}

}  // namespace farm
