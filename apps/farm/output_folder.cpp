// Making and probing the farm's output folder (see output_folder.hpp).
#include "output_folder.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace farm {
namespace {

/// Why this rank cannot write in `folder`, or "".
std::string problem_with(const std::string& folder, int rank) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec && !std::filesystem::is_directory(folder)) {
    return fmt::format("--output-dir: cannot make folder '{}': {}", folder, ec.message());
  }
  if (!std::filesystem::is_directory(folder)) {
    return fmt::format("--output-dir: '{}' is not a folder", folder);
  }
  // A probe file, not access(2): root passes access() on a read-only mount.
  const std::string probe = fmt::format("{}/.farm-probe-{}-{}", folder, rank, getpid());
  const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fmt::format("--output-dir: cannot write in '{}': {}", folder, std::strerror(errno));
  }
  close(fd);
  unlink(probe.c_str());
  return {};
}

}  // namespace

void prepare_output_folder(mpimr::context& ctx, const std::string& folder) {
  // Every rank must throw alike, also when only some cannot write (a folder not shared by all
  // nodes): the lowest failing rank's message, on every rank.
  std::string problem = problem_with(folder, ctx.rank());
  mpimr::fail_together(
      ctx, problem.empty() ? std::nullopt : std::optional<std::string>(std::move(problem)));
}

}  // namespace farm
