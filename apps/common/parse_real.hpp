// Strict parsing of real numbers for the apps' options and input files: the whole text must be one
// finite number ("1e-8", "-3.5", "+2"), so "1e-8x", "", "nan" and "1e400" are refused.
#pragma once

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace app {

/// The finite double that is all of `text`, or nothing (empty, trailing characters, NaN, infinity,
/// or beyond the range of a double).
[[nodiscard]] inline std::optional<double> parse_finite(std::string_view text) {
  // std::from_chars takes no leading '+'; accept one before a digit or a point, not "+-1".
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

/// Parses option `option`'s `text` into `out`; otherwise returns a message naming both.
[[nodiscard]] inline std::optional<std::string> check_real(const char* option,
                                                           const std::string& text, double& out) {
  const auto value = parse_finite(text);
  if (!value) return fmt::format("{}: value '{}' is not a finite number", option, text);
  out = *value;
  return std::nullopt;
}

}  // namespace app
