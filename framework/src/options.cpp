// Names of schedules, for command lines, messages and environment variables.
#include "mpimr/options.hpp"

#include <string>

#include "mpimr/errors.hpp"

namespace mpimr {

std::string_view to_string(schedule s) noexcept {
  switch (s) {
    case schedule::automatic:
      return "auto";
    case schedule::static_blocks:
      return "static";
    case schedule::dynamic:
      return "dynamic";
    case schedule::guided:
      return "guided";
    case schedule::adaptive:
      return "adaptive";
  }
  return "unknown";
}

schedule parse_schedule(std::string_view text) {
  for (schedule s : {schedule::automatic, schedule::static_blocks, schedule::dynamic,
                     schedule::guided, schedule::adaptive}) {
    if (text == to_string(s)) return s;
  }
  throw invalid_argument("unknown schedule '" + std::string(text) +
                         "' (expected auto, static, dynamic, guided or adaptive)");
}

}  // namespace mpimr
