// The exceptions mpimr throws; every one derives from mpimr::error.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

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

  /// `label` (options.label of the operation, if any) is named in what().
  task_error(int rank, std::uint64_t chunk_id, std::string original_message,
             std::string_view label = {});

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] std::uint64_t chunk_id() const noexcept { return chunk_id_; }
  /// The what() of the exception the body threw, unchanged.
  [[nodiscard]] const std::string& original_message() const noexcept { return original_; }

 private:
  int rank_;
  std::uint64_t chunk_id_;
  std::string original_;
};

/// A stop was requested (a signal, see stop.hpp) on some rank while an operation ran. Thrown on
/// every rank; chunks that finished before the stop are in the checkpoint journal, if there is one.
class interrupted : public error {
 public:
  interrupted(int rank, int signal_number);
  /// The first rank (lowest number) that was asked to stop.
  [[nodiscard]] int rank() const noexcept { return rank_; }
  /// The signal it got; 0 when the stop was requested without one.
  [[nodiscard]] int signal_number() const noexcept { return signal_; }

 private:
  int rank_;
  int signal_;
};

/// The name of a signal as users know it ("SIGTERM"), or "signal N".
[[nodiscard]] std::string signal_name(int signal_number);

}  // namespace mpimr
