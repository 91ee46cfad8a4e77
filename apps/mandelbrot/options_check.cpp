// Option checks of the mandelbrot app (see options_check.hpp).
#include "options_check.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace mandelbrot {
namespace {

bool parse_real(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return false;
  out = value;
  return true;
}

}  // namespace

std::optional<std::string> check_real(const char* option, const std::string& text, double& out) {
  if (parse_real(text, out)) return std::nullopt;
  return fmt::format("{}: value '{}' is not a finite real number", option, text);
}

std::optional<std::string> check_point(const char* option, const std::string& text, double& re,
                                       double& im) {
  const auto comma = text.find(',');
  if (comma != std::string::npos) {
    const std::string_view all(text);
    if (parse_real(all.substr(0, comma), re) && parse_real(all.substr(comma + 1), im)) {
      return std::nullopt;
    }
  }
  return fmt::format("{}: value '{}' is not two real numbers RE,IM (e.g. -0.8,0.156)", option,
                     text);
}

std::optional<std::string> check_output(const char* option, const std::string& text,
                                        std::filesystem::path& out) {
  namespace fs = std::filesystem;
  if (text.empty()) return fmt::format("{}: the file name is empty", option);
  const fs::path path(text);
  std::error_code ec;
  if (!path.has_filename() || fs::is_directory(path, ec)) {
    return fmt::format("{}: '{}' is a directory, not a file", option, text);
  }
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(directory, ec)) {
    return fmt::format("{}: directory '{}' of '{}' {}", option, directory.string(), text,
                       fs::exists(directory, ec) ? "is not a directory" : "does not exist");
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return fmt::format("{}: directory '{}' of '{}' is not writable", option, directory.string(),
                       text);
  }
  out = path;
  return std::nullopt;
}

}  // namespace mandelbrot
