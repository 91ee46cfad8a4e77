// Running a chunk of the farm's tasks inside map_to (see task_chunks.hpp).
#include "task_chunks.hpp"

#include <algorithm>
#include <mpimr/mpimr.hpp>
#include <stdexcept>

#include "stop_marker.hpp"

namespace farm {

chunk_runner::chunk_runner(const chunk_setup& setup, const std::vector<std::uint64_t>* order)
    : setup_(&setup),
      order_(order),
      count_(order != nullptr ? order->size() : setup.commands->size()) {}

task_record chunk_runner::operator()(std::uint64_t i) {
  if (i >= batch_begin_ && i < batch_begin_ + batch_.size()) return batch_[i - batch_begin_];
  // Chunks of per_rank positions start at multiples of per_rank (map_to's range starts at 0).
  const std::uint64_t end = std::min((i / setup_->per_rank + 1) * setup_->per_rank, count_);
  std::vector<task_job> jobs;
  for (std::uint64_t k = i; k < end; ++k) {
    const std::uint64_t task = order_ != nullptr ? (*order_)[k] : k;
    jobs.push_back({task + 1, &(*setup_->commands)[task]});
  }
  const auto outcomes = run_together(jobs, setup_->output_folder, setup_->limits);
  batch_.clear();
  batch_begin_ = i;
  std::size_t failed = jobs.size();
  bool interrupted = false;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    batch_.push_back(make_record(jobs[k].number, outcomes[k], setup_->rank, setup_->host));
    if (outcomes[k].interrupted) {
      interrupted = true;
      continue;
    }
    setup_->mine->push_back(batch_.back());
    if (!outcomes[k].succeeded() && failed == jobs.size()) failed = k;
  }
  // Thrown, the chunk is not journaled: its tasks run again on a rerun.
  if (interrupted) throw std::runtime_error(interrupted_marker(mpimr::stop_signal()));
  if (failed != jobs.size() && !setup_->keep_going) {
    throw std::runtime_error(failure_marker(jobs[failed].number, outcomes[failed]));
  }
  return batch_[0];
}

}  // namespace farm
