// Checking an output file name before any work, so that a typo in it does not cost a whole run
// and is refused as a bad argument (one line, exit code 2) rather than failing at the end.
#pragma once

#include <fmt/core.h>

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

namespace app {

/// A message naming `option` and `name` if `name` cannot be an output file: empty, a folder, or in
/// a folder that does not exist (or is not a folder).
[[nodiscard]] inline std::optional<std::string> check_output_path(const char* option,
                                                                  const std::string& name) {
  if (name.empty()) return fmt::format("{}: the file name is empty", option);
  const std::filesystem::path path(name);
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return fmt::format("{}: '{}' is a directory", option, name);
  }
  if (!std::filesystem::is_directory(folder, ec)) {
    return fmt::format("{}: no folder '{}' to write '{}' in", option, folder.string(), name);
  }
  return std::nullopt;
}

}  // namespace app
