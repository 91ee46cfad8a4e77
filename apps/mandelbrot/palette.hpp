// Colours of escape counts: a fixed gradient through five colours that repeats every 80 iterations,
// computed with integers only, so the same count gives the same bytes everywhere.
#pragma once

#include <array>
#include <cstdint>

namespace mandelbrot {

using rgb = std::array<std::uint8_t, 3>;

/// Dark blue, blue, white, orange, near black, then back to dark blue.
inline constexpr std::array<rgb, 5> palette_anchors{{
    {0, 7, 100},
    {32, 107, 203},
    {237, 255, 255},
    {255, 170, 0},
    {0, 2, 0},
}};
/// Counts between two anchors: small enough that neighbouring bands differ visibly.
inline constexpr std::uint32_t palette_steps = 16;

/// Black for points inside the set (count == max), otherwise the gradient at `count`, blending two
/// anchors linearly (integer division rounds down).
[[nodiscard]] constexpr rgb colour_of(std::uint32_t count, std::uint32_t max) noexcept {
  if (count >= max) return {0, 0, 0};
  constexpr auto anchors = static_cast<std::uint32_t>(palette_anchors.size());
  const std::uint32_t position = count % (anchors * palette_steps);
  const std::uint32_t segment = position / palette_steps;
  const std::uint32_t t = position % palette_steps;
  const rgb& from = palette_anchors[segment];
  const rgb& to = palette_anchors[(segment + 1) % anchors];
  rgb out{};
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k] = static_cast<std::uint8_t>((from[k] * (palette_steps - t) + to[k] * t) / palette_steps);
  }
  return out;
}

}  // namespace mandelbrot
