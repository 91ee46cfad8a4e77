// The escape-time iteration of the Mandelbrot and Julia sets and the map from pixels to points of
// the complex plane: plain double arithmetic in a fixed order, so that a test can repeat it
// exactly.
#pragma once

#include <cstdint>
#include <span>

namespace mandelbrot {

/// What to draw: an image of `width` x `height` square pixels of `step` plane units each, centred
/// on (center_re, center_im); the Mandelbrot set, or with `julia` the Julia set of (c_re, c_im).
struct scene {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  double center_re = 0.0;
  double center_im = 0.0;
  double step = 0.0;
  bool julia = false;
  double c_re = 0.0;
  double c_im = 0.0;
  std::uint32_t max_iterations = 0;
};

/// Real part of the centre of pixel column `x`; the centre of the image falls on (center_re, ..).
[[nodiscard]] inline double pixel_re(const scene& s, std::uint32_t x) noexcept {
  const double half = (static_cast<double>(s.width) - 1.0) / 2.0;
  return s.center_re + (static_cast<double>(x) - half) * s.step;
}

/// Imaginary part of the centre of pixel row `y`; row 0 is the top, so the imaginary axis points
/// up.
[[nodiscard]] inline double pixel_im(const scene& s, std::uint32_t y) noexcept {
  const double half = (static_cast<double>(s.height) - 1.0) / 2.0;
  return s.center_im - (static_cast<double>(y) - half) * s.step;
}

/// Iterations of z <- z^2 + c from z before |z| exceeds 2; `max` if it never does within `max`
/// (the point is taken to be inside the set). An integer, so its colour cannot depend on rounding.
[[nodiscard]] inline std::uint32_t escape_count(double z_re, double z_im, double c_re, double c_im,
                                                std::uint32_t max) noexcept {
  std::uint32_t n = 0;
  for (; n < max; ++n) {
    const double re2 = z_re * z_re;
    const double im2 = z_im * z_im;
    if (re2 + im2 > 4.0) break;
    z_im = 2.0 * z_re * z_im + c_im;
    z_re = re2 - im2 + c_re;
  }
  return n;
}

/// Escape counts of row `y`, one per pixel, into `counts` (s.width of them). Rows near the set cost
/// up to max_iterations per pixel, rows far from it one or two: the uneven load of this app.
inline void render_row(const scene& s, std::uint32_t y, std::span<std::uint32_t> counts) noexcept {
  const double im = pixel_im(s, y);
  for (std::uint32_t x = 0; x < s.width; ++x) {
    const double re = pixel_re(s, x);
    counts[x] = s.julia ? escape_count(re, im, s.c_re, s.c_im, s.max_iterations)
                        : escape_count(0.0, 0.0, re, im, s.max_iterations);
  }
}

}  // namespace mandelbrot
