// A checkpoint's journal on one rank: the records of earlier runs found in the folder (read by
// every rank, looked up by operation and chunk) and this rank's own file for this run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "mpimr/detail/codec.hpp"

namespace mpimr::detail {

class journal {
 public:
  journal(std::filesystem::path folder, std::string key);
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Rank 0 first: creates the folder if missing.
  [[nodiscard]] std::optional<std::string> create_folder();
  /// Creates the folder if needed (as each node may have its own) and indexes every journal file in
  /// it. Returns a one-line error (folder unusable, a journal of another job or format) instead of
  /// throwing, so that the ranks can fail together.
  [[nodiscard]] std::optional<std::string> read_folder();
  /// Starts this rank's file for this run; a one-line error if it cannot.
  [[nodiscard]] std::optional<std::string> start_own_file(std::uint64_t run_id, int rank);

  /// A new operation's id: its order under the checkpoint mixed with what identifies it.
  [[nodiscard]] std::uint64_t begin_operation(std::uint64_t identity) noexcept;
  [[nodiscard]] bool find(std::uint64_t operation, std::uint64_t chunk, byte_buffer& payload);
  void record(std::uint64_t operation, std::uint64_t chunk, std::span<const std::byte> payload);

  /// Flushes this rank's file to disk and closes every file.
  void close() noexcept;
  /// Removes every journal file of the folder (rank 0 only, after all ranks closed theirs), and
  /// the folder itself when it is then empty.
  void remove_files() noexcept;

  [[nodiscard]] const std::filesystem::path& folder() const noexcept { return folder_; }
  [[nodiscard]] std::uint64_t resumed() const noexcept { return resumed_; }
  [[nodiscard]] std::uint64_t recorded() const noexcept { return recorded_; }
  [[nodiscard]] std::uint64_t found() const noexcept { return index_.size(); }
  [[nodiscard]] std::uint64_t damaged_files() const noexcept { return damaged_files_; }

 private:
  struct record_key {
    std::uint64_t operation;
    std::uint64_t chunk;
    bool operator==(const record_key&) const = default;
  };
  struct record_key_hash {
    std::size_t operator()(const record_key& k) const noexcept;
  };
  struct location {
    std::size_t file;  // into read_fds_
    std::uint64_t offset;
    std::uint64_t length;
  };

  [[nodiscard]] std::optional<std::string> index_file(const std::filesystem::path& path);

  std::filesystem::path folder_;
  std::string key_;
  std::vector<int> read_fds_;
  std::vector<std::filesystem::path> read_paths_;
  std::unordered_map<record_key, location, record_key_hash> index_;
  int own_fd_ = -1;
  std::filesystem::path own_path_;
  byte_buffer scratch_;
  std::uint64_t operations_ = 0;
  std::uint64_t resumed_ = 0;
  std::uint64_t recorded_ = 0;
  std::uint64_t damaged_files_ = 0;
};

/// Journal files end in this; nothing else in the folder is read or removed.
inline constexpr std::string_view journal_extension = ".mpimrj";

}  // namespace mpimr::detail
