// The exceptions mpimr throws; every one derives from mpimr::error.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mpimr {

/// Base of everything mpimr throws.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A bad argument to a public function. Thrown on every rank of the operation.
class invalid_argument : public error {
 public:
  using error::error;
};

/// A body (or a join) threw on some rank. Thrown on every rank, carrying the first failure: the
/// rank with the lowest number among those that failed, and the chunk it was running.
class task_error : public error {
 public:
  /// Chunk id reported when the failure was not inside a chunk (for example in a join across
  /// ranks).
  static constexpr std::uint64_t no_chunk = UINT64_MAX;

  task_error(int rank, std::uint64_t chunk_id, std::string original_message);

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] std::uint64_t chunk_id() const noexcept { return chunk_id_; }
  /// The what() of the exception the body threw, unchanged.
  [[nodiscard]] const std::string& original_message() const noexcept { return original_; }

 private:
  int rank_;
  std::uint64_t chunk_id_;
  std::string original_;
};

}  // namespace mpimr
