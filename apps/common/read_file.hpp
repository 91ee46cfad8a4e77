// Reading a whole input file into memory, with one-line errors that name the file.
#pragma once

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

namespace app {

/// The bytes of `path`. Throws `Error` (constructible from a message) for a folder, anything else
/// that is not a regular file, a file that cannot be opened, or a read error.
template <class Error>
[[nodiscard]] std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) {
    throw Error(fmt::format("cannot read '{}': it is a directory", path));
  }
  // Opening a FIFO waits for a writer (every rank hung on one), and a device may never end: only
  // regular files are input. A missing file is left to fopen, which says why.
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw Error(fmt::format("cannot read '{}': it is not a regular file", path));
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) throw Error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  std::string text;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
  if (std::ferror(file.get()) != 0) {
    throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  }
  return text;
}

}  // namespace app
