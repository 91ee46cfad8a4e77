// Splits text into words: maximal runs of ASCII letters, lowercased; every other byte (digits,
// UTF-8, NUL, ...) separates words.
//
// Why two passes: a byte-at-a-time loop mispredicts a branch at both ends of nearly every word.
// Here one branch-free (vectorized) pass maps each byte to its lowercase letter or 0, and the
// second finds each word's start and end eight bytes at a time (the lowest non-zero or zero byte of
// a 64-bit load), so a word shorter than eight letters costs no loop at all.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wordcount {

/// Byte -> its lowercase letter, or 0 for a byte that separates words. Arithmetic rather than a
/// table look-up, so that the compiler turns the loop over a line into vector code (16 or 32
/// bytes a step instead of one).
[[nodiscard]] constexpr unsigned char lowercase_letter(unsigned char c) noexcept {
  const auto lower = static_cast<unsigned char>(c | 0x20U);  // 'A'..'Z' -> 'a'..'z'
  return static_cast<unsigned char>(lower - 'a') < 26 ? lower : 0;
}

/// Calls `on_word(std::string_view)` for every word of `text`, in order. The view points into
/// `scratch` (reused between calls) and is valid only during the call.
template <class OnWord>
void for_each_word(std::string_view text, std::string& scratch, OnWord&& on_word) {
  static_assert(std::endian::native == std::endian::little, "byte order of the 64-bit scans");
  constexpr std::size_t pad = 8;  // zero bytes after the text, so every 8-byte load stays inside
  const std::size_t n = text.size();
  if (scratch.size() < n + pad) scratch.resize(n + pad);
  char* const out = scratch.data();
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>(lowercase_letter(in[i]));
  std::memset(out + n, 0, pad);

  constexpr std::uint64_t ones = 0x0101010101010101U;
  constexpr std::uint64_t highs = 0x8080808080808080U;
  auto load = [out](std::size_t at) {
    std::uint64_t v = 0;
    std::memcpy(&v, out + at, sizeof v);
    return v;
  };
  std::size_t i = 0;
  while (i < n) {
    // Skip separators: the lowest non-zero byte of the next eight is where a word starts.
    const std::uint64_t ahead = load(i);
    if (ahead == 0) {
      i += 8;
      continue;
    }
    i += static_cast<std::size_t>(std::countr_zero(ahead)) / 8;
    const std::size_t start = i;
    // The word ends at the lowest zero byte (letters are below 0x80, so the classic zero-byte
    // test is exact for the lowest one); the padding guarantees one.
    for (;;) {
      const std::uint64_t v = load(i);
      const std::uint64_t zeros = (v - ones) & ~v & highs;
      if (zeros != 0) {
        i += static_cast<std::size_t>(std::countr_zero(zeros)) / 8;
        break;
      }
      i += 8;
    }
    on_word(std::string_view(out + start, i - start));
  }
}

}  // namespace wordcount
