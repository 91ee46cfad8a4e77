// Comparing and copying keys of a few bytes (words, mostly) without a library call or a byte
// loop: two loads that overlap when the length is not a power of two cover every byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mpimr::detail {

template <class Word>
[[nodiscard]] inline Word load_unaligned(const char* p) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// a == b, for any lengths; keys of up to 16 bytes compared with two loads each.
[[nodiscard]] inline bool same_key(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    if (n > 16) return std::memcmp(x, y, n) == 0;
    return load_unaligned<std::uint64_t>(x) == load_unaligned<std::uint64_t>(y) &&
           load_unaligned<std::uint64_t>(x + n - 8) == load_unaligned<std::uint64_t>(y + n - 8);
  }
  if (n >= 4) {
    return load_unaligned<std::uint32_t>(x) == load_unaligned<std::uint32_t>(y) &&
           load_unaligned<std::uint32_t>(x + n - 4) == load_unaligned<std::uint32_t>(y + n - 4);
  }
  if (n == 0) return true;
  // 1 to 3 bytes: the first, the middle and the last (some of them the same byte).
  return x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1];
}

/// Copies a key of at most 16 bytes to `to` (which has room for it) as same_key reads it.
inline void copy_short_key(char* to, std::string_view key) noexcept {
  const std::size_t n = key.size();
  const char* from = key.data();
  if (n >= 8) {
    const auto head = load_unaligned<std::uint64_t>(from);
    const auto tail = load_unaligned<std::uint64_t>(from + n - 8);
    std::memcpy(to, &head, 8);
    std::memcpy(to + n - 8, &tail, 8);
  } else if (n >= 4) {
    const auto head = load_unaligned<std::uint32_t>(from);
    const auto tail = load_unaligned<std::uint32_t>(from + n - 4);
    std::memcpy(to, &head, 4);
    std::memcpy(to + n - 4, &tail, 4);
  } else if (n != 0) {
    to[0] = from[0];
    to[n / 2] = from[n / 2];
    to[n - 1] = from[n - 1];
  }
}

}  // namespace mpimr::detail
