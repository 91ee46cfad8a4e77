// mpimr::atomic_file: an output file that appears whole or not at all. It is written to a temporary
// beside it and renamed into place on commit, and removed if never committed.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string_view>

namespace mpimr {

class atomic_file {
 public:
  /// Throws mpimr::error naming the file when the temporary cannot be created.
  explicit atomic_file(std::filesystem::path path);
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  /// Throws mpimr::error naming the file on a write error.
  void write(std::string_view bytes);
  /// Flushes, closes and renames into place; throws mpimr::error naming the file on failure.
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_;
  std::FILE* file_ = nullptr;
};

}  // namespace mpimr
