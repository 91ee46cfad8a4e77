// Text files as map-reduce input: files and folders cut into line-aligned byte ranges, so that a
// big file is shared among ranks, many small files are spread over them, and no rank reads it all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace mpimr {

struct text_input {
  /// Files, or folders whose files (recursively, sorted by path) are read.
  std::vector<std::filesystem::path> paths;
  /// Bytes per split: the unit of work handed to a rank. A line belongs to the split holding its
  /// first byte, so lines longer than a split still arrive whole, once.
  std::uint64_t split_bytes = std::uint64_t{8} << 20U;
};

}  // namespace mpimr
