// The schedule and chunk size a batch user set for every operation through MPIMR_SCHEDULE, read as
// OpenMP reads OMP_SCHEDULE: "NAME" or "NAME,CHUNK".
#pragma once

#include <cstdint>

#include "mpimr/options.hpp"

namespace mpimr::detail {

struct schedule_default {
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_size = 0;  // 0: not set
};

/// MPIMR_SCHEDULE's value (unset or empty: automatic, no chunk size). Throws
/// mpimr::invalid_argument naming the variable and its text when it is not NAME or NAME,CHUNK
/// with NAME one of auto, static, dynamic, guided, adaptive and CHUNK a whole number of indices
/// from 1.
[[nodiscard]] schedule_default schedule_from_environment();

}  // namespace mpimr::detail
