// wordcount's input identity for its checkpoint key (see input_identity.hpp).
#include "input_identity.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <system_error>

namespace wordcount {
namespace fs = std::filesystem;
namespace {

void add_file(const fs::path& path, std::vector<std::string>& lines) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) return;
  const auto modified = fs::last_write_time(path, error);
  if (error) return;
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch()).count();
  lines.push_back(fmt::format("{}\t{}\t{}\n", path.string(), size, ns));
}

}  // namespace

std::string input_identity(const std::vector<fs::path>& inputs) {
  std::vector<std::string> lines;
  for (const fs::path& input : inputs) {
    std::error_code error;
    if (fs::is_regular_file(input, error)) {
      add_file(input, lines);
      continue;
    }
    if (!fs::is_directory(input, error)) continue;
    for (fs::recursive_directory_iterator it(input, error), end; !error && it != end;
         it.increment(error)) {
      if (it->is_regular_file(error)) add_file(it->path(), lines);
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string identity;
  for (const auto& line : lines) identity += line;
  return identity;
}

}  // namespace wordcount
