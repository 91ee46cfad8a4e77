// The body of the farm's map_to: the first call for a chunk runs all of its tasks at once (up to
// --per-rank), the other calls for the chunk return their records. A task ended by a stop, or a
// failure without --keep-going, is thrown as a marked message (stop_marker.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "child.hpp"
#include "record.hpp"

namespace farm {

struct chunk_setup {
  const std::vector<std::string>* commands = nullptr;
  std::string output_folder;
  run_limits limits;
  std::uint64_t per_rank = 1;
  bool keep_going = false;
  int rank = 0;
  std::string host;
  /// Where every record this rank made is added (for the table after a stop at a failure).
  std::vector<task_record>* mine = nullptr;
};

class chunk_runner {
 public:
  /// Over positions 0..m-1 of `order` (task indices, from 0), or over all tasks for nullptr.
  chunk_runner(const chunk_setup& setup, const std::vector<std::uint64_t>* order);
  /// The record of position `i`.
  task_record operator()(std::uint64_t i);

 private:
  const chunk_setup* setup_;
  const std::vector<std::uint64_t>* order_;
  std::uint64_t count_;
  std::uint64_t batch_begin_ = 0;
  std::vector<task_record> batch_;
};

}  // namespace farm
