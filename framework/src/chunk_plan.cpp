// Validation of ranges and chunk sizes, and the automatic chunk size.
#include "mpimr/detail/chunk_plan.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "mpimr/errors.hpp"

namespace mpimr::detail {

std::uint64_t hash_combine(std::uint64_t seed, std::uint64_t value) noexcept {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL + value;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

std::uint64_t chunk_plan::fingerprint() const noexcept {
  return hash_combine(hash_combine(range.begin, range.end), chunk_size);
}

chunk_plan make_chunk_plan(index_range range, std::uint64_t requested_chunk_size) {
  if (range.begin > range.end) {
    throw invalid_argument("index_range begin " + std::to_string(range.begin) + " is after end " +
                           std::to_string(range.end));
  }
  // A chunk size of 2^63 or more is almost always a negative number converted to unsigned.
  if (requested_chunk_size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw invalid_argument("chunk_size " + std::to_string(requested_chunk_size) +
                           " is too large (a negative value converted to unsigned?)");
  }
  const std::uint64_t n = range.size();
  chunk_plan plan{range, requested_chunk_size, 0};
  if (plan.chunk_size == 0) {
    plan.chunk_size = n / automatic_chunk_target + (n % automatic_chunk_target != 0 ? 1 : 0);
    if (plan.chunk_size == 0) plan.chunk_size = 1;
  }
  plan.chunk_count = n / plan.chunk_size + (n % plan.chunk_size != 0 ? 1 : 0);
  return plan;
}

}  // namespace mpimr::detail
