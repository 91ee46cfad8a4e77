// Messages of the errors that name where a failure happened.
#include "mpimr/errors.hpp"

#include <utility>

namespace mpimr {
namespace {

std::string describe(int rank, std::uint64_t chunk_id, const std::string& original) {
  std::string where = "rank " + std::to_string(rank);
  if (chunk_id != task_error::no_chunk) where += ", chunk " + std::to_string(chunk_id);
  return "task failed on " + where + ": " + original;
}

}  // namespace

task_error::task_error(int rank, std::uint64_t chunk_id, std::string original_message)
    : error(describe(rank, chunk_id, original_message)),
      rank_(rank),
      chunk_id_(chunk_id),
      original_(std::move(original_message)) {}

}  // namespace mpimr
