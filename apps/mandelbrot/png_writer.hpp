// Writes an 8-bit RGB image as PNG with libpng, through mpimr::atomic_file: the file appears whole
// or not at all. Rows are asked for one at a time, so only one row of colours exists at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

namespace mandelbrot {

/// Fills row `y` of the image: 3 * width bytes, red, green, blue for each pixel.
using row_filler = std::function<void(std::uint32_t y, std::uint8_t* rgb)>;

/// Writes `path`. Throws mpimr::error naming the file if it cannot be created or written (then no
/// file and no temporary is left).
void write_png(const std::filesystem::path& path, std::uint32_t width, std::uint32_t height,
               const row_filler& fill);

}  // namespace mandelbrot
