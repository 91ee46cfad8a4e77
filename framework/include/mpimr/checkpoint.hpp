// mpimr::checkpoint: while one lives, the operations on its context record each finished chunk's
// result in a journal folder, and a rerun of the same job takes the chunks found there instead of
// computing them again, on any number of ranks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "mpimr/context.hpp"

namespace mpimr {

namespace detail {
class journal;
}

struct checkpoint_settings {
  /// Where the journal lives; created if missing. Every rank must pass the same path and see the
  /// same folder under it (a shared file system when the job spans nodes).
  std::filesystem::path folder;
  /// What makes this job this job (the program's parameters, as text; at most 1 MiB), the same on
  /// every rank. A journal written with another key is refused, so a changed parameter never
  /// reuses stale results.
  std::string key;
  /// Keep the journal after complete() (by default it is removed once the job succeeded).
  bool keep = false;
};

/// Journals mpimr::reduce, transform_reduce, map, map_to, for_each and map_reduce_by_key. A
/// resumed chunk's result is the journaled bits, so a run in deterministic mode gives bitwise the
/// result of an uninterrupted run, also on a different number of ranks. map_reduce_by_key records
/// each chunk's pairs combined within the chunk (one record per distinct key of the chunk) and a
/// rerun sends them to their owners again; over text input, the key must change when the files
/// do. for_each records that a chunk finished; a rerun does not run its body again, so its side
/// effects must outlive the interruption (files written whole, say). Operations are matched by
/// their order under the checkpoint, their kind, range, chunk size and label: rerun the same
/// program with the same parameters.
class checkpoint {
 public:
  /// Collective. Reads the journal already in the folder (torn or corrupt records are left out and
  /// their chunks recomputed) and starts this run's journal files. Throws mpimr::invalid_argument
  /// on every rank when the folder cannot be created or written, holds a journal of another job or
  /// format version or a journal that is not a regular file, when ranks pass different folders or
  /// keys, or when the context already has a checkpoint.
  checkpoint(context& ctx, checkpoint_settings settings);
  /// Flushes this rank's journal to disk and keeps it: a job that did not complete can resume.
  ~checkpoint();
  checkpoint(const checkpoint&) = delete;
  checkpoint& operator=(const checkpoint&) = delete;

  /// Collective, after the job's last operation: removes the journal, and the folder if that
  /// leaves it empty (unless settings.keep).
  void complete();

  /// Chunks whose results this rank took from the journal instead of computing them.
  [[nodiscard]] std::uint64_t resumed_chunks() const noexcept;
  /// Chunks this rank computed and recorded in this run.
  [[nodiscard]] std::uint64_t recorded_chunks() const noexcept;
  /// Usable records found in the folder when this run started (all ranks' files of earlier runs).
  [[nodiscard]] std::uint64_t found_records() const noexcept;
  /// Journal files found with a torn or corrupt part, which was left out.
  [[nodiscard]] std::uint64_t damaged_files() const noexcept;
  [[nodiscard]] const std::filesystem::path& folder() const noexcept;

 private:
  context* ctx_;
  std::unique_ptr<detail::journal> journal_;
  bool keep_ = false;
  bool completed_ = false;
};

}  // namespace mpimr
