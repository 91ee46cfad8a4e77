// MPIMR_PROGRESS, read as MPIMR_SCHEDULE is: "MODE[,SECONDS]" with MODE on, off or auto.
#pragma once

#include "mpimr/progress.hpp"

namespace mpimr::detail {

/// MPIMR_PROGRESS's value (unset or empty: automatic, interval 0). Throws mpimr::invalid_argument
/// naming the variable and its text when MODE is not on, off or auto, or SECONDS is not a number
/// of seconds from 0.01 to 1e6.
[[nodiscard]] progress_settings progress_from_environment();

}  // namespace mpimr::detail
