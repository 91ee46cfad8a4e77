// Index ranges and the chunks they are cut into: the unit of work every operation hands to a body.
#pragma once

#include <cstdint>
#include <ranges>

namespace mpimr {

/// Half-open range [begin, end) of 64-bit indices. Construction does not validate so that it stays
/// an aggregate; every operation checks `begin <= end` and throws `mpimr::invalid_argument`
/// otherwise.
struct index_range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  [[nodiscard]] constexpr std::uint64_t size() const noexcept {
    return end > begin ? end - begin : 0;
  }
  [[nodiscard]] constexpr bool empty() const noexcept { return size() == 0; }
};

/// One piece of an index range. `id` counts chunks from 0 in index order and, like the bounds,
/// depends only on the range and the chunk size, never on how many ranks run the operation.
/// `begin`/`end` are data members (as in the design), so iterate with `for (auto i : c.indices())`.
struct chunk {
  std::uint64_t id = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  [[nodiscard]] constexpr std::uint64_t size() const noexcept { return end - begin; }
  [[nodiscard]] constexpr auto indices() const noexcept { return std::views::iota(begin, end); }
};

}  // namespace mpimr
