// The one error every MPIMR_* variable gives for a bad value.
#pragma once

#include <string>
#include <string_view>

#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// Throws mpimr::invalid_argument "NAME='TEXT': WHY", naming the variable and its whole value.
[[noreturn]] inline void reject_environment(std::string_view name, std::string_view text,
                                            std::string_view why) {
  std::string message(name);
  message.append("='").append(text).append("': ").append(why);
  throw invalid_argument(message);
}

}  // namespace mpimr::detail
