// Checks of the mandelbrot app's option values that app_support does not cover: real numbers, a
// point "RE,IM", and an output path whose directory must exist. Each returns the one-line message.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace mandelbrot {

/// A finite real number written in decimal (e.g. -0.75, 1e-3), rounded to the nearest double as
/// Python's float() does; otherwise a message naming `option` and the text.
[[nodiscard]] std::optional<std::string> check_real(const char* option, const std::string& text,
                                                    double& out);

/// Two finite reals separated by a comma, e.g. "-0.8,0.156".
[[nodiscard]] std::optional<std::string> check_point(const char* option, const std::string& text,
                                                     double& re, double& im);

/// A file name (not a directory) in an existing, writable directory. Checked on every rank before
/// any work, so that a typo in the path fails at once instead of after the render.
[[nodiscard]] std::optional<std::string> check_output(const char* option, const std::string& text,
                                                      std::filesystem::path& out);

}  // namespace mandelbrot
