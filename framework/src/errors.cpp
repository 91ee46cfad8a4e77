// Messages of the errors that name where a failure happened.
#include "mpimr/errors.hpp"

#include <csignal>
#include <utility>

namespace mpimr {
namespace {

std::string describe(int rank, std::uint64_t chunk_id, const std::string& original,
                     std::string_view label) {
  std::string where = "rank " + std::to_string(rank);
  if (chunk_id != task_error::no_chunk) where += ", chunk " + std::to_string(chunk_id);
  if (!label.empty()) where.append(" of '").append(label).append("'");
  return "task failed on " + where + ": " + original;
}

}  // namespace

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    case SIGKILL:
      return "SIGKILL";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(signal_number);
  }
}

interrupted::interrupted(int rank, int signal_number)
    : error("interrupted on rank " + std::to_string(rank) +
            (signal_number > 0 ? " by " + signal_name(signal_number) : std::string(" by request"))),
      rank_(rank),
      signal_(signal_number) {}

task_error::task_error(int rank, std::uint64_t chunk_id, std::string original_message,
                       std::string_view label)
    : error(describe(rank, chunk_id, original_message, label)),
      rank_(rank),
      chunk_id_(chunk_id),
      original_(std::move(original_message)) {}

}  // namespace mpimr
