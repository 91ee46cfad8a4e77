// Splits text inputs into line-aligned byte ranges, so a big file is shared among ranks and each
// rank reads only its own ranges (plus the tail of one line per range), never the whole input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "mpimr/detail/function_ref.hpp"

namespace mpimr::detail {

/// Bytes [begin, end) of files[file]. The lines of a split are those whose first byte lies in it.
struct text_split {
  std::uint32_t file = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  friend bool operator==(const text_split&, const text_split&) = default;
};

/// Read buffer of for_each_line; a longer line is still delivered whole.
inline constexpr std::size_t default_line_buffer_bytes = std::size_t{256} << 10U;

/// Files as given, directories replaced by their regular files (recursively), sorted by path
/// bytes, so every rank derives the same list. Throws mpimr::invalid_argument naming the path for a
/// missing or unreadable path, a directory without files, or an empty list.
[[nodiscard]] std::vector<std::filesystem::path> expand_inputs(
    const std::vector<std::filesystem::path>& inputs);

/// Cuts each file into consecutive ranges of split_bytes (the last one shorter); an empty file
/// gives none. Depends only on the files and their sizes. Throws mpimr::invalid_argument when
/// split_bytes is 0, mpimr::error when a size cannot be read.
[[nodiscard]] std::vector<text_split> plan_text_splits(
    const std::vector<std::filesystem::path>& files, std::uint64_t split_bytes);

/// Calls on_line for every line of `split` (without its '\n'; a '\r' is kept), in file order. A
/// line belongs to the split holding its first byte (Hadoop's rule), so the splits of a file
/// deliver each line exactly once. The view is valid only during the call. Throws mpimr::error
/// naming the file on an I/O error; exceptions from on_line pass through.
void for_each_line(const std::filesystem::path& file, const text_split& split,
                   function_ref<void(std::string_view)> on_line,
                   std::size_t buffer_bytes = default_line_buffer_bytes);

}  // namespace mpimr::detail
