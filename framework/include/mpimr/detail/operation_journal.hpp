// One operation's view of the context's checkpoint journal: looks up and records chunk results.
// Inactive (one branch per chunk) when the context has no checkpoint.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "mpimr/context.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/executor.hpp"

namespace mpimr::detail {

class journal;

class operation_journal {
 public:
  /// Collective in effect: every rank must create one for each operation, in the same order (as
  /// they call operations). `kind` names the operation ("map", "reduce", ...).
  operation_journal(context& ctx, std::string_view kind, const execution_request& request);

  [[nodiscard]] bool active() const noexcept { return journal_ != nullptr; }
  /// True, with the recorded bytes in `payload`, when the chunk is in the journal.
  [[nodiscard]] bool find(std::uint64_t chunk_id, byte_buffer& payload);
  /// Appends the chunk's result; throws mpimr::error naming the file when it cannot be written.
  void record(std::uint64_t chunk_id, std::span<const std::byte> payload);

 private:
  journal* journal_ = nullptr;
  std::uint64_t operation_ = 0;
};

/// The chunk's value from the journal when it is there, else compute() recorded in the journal.
template <class T, class Compute>
[[nodiscard]] T journaled(operation_journal& journal, std::uint64_t chunk_id, Compute&& compute) {
  if (!journal.active()) return std::forward<Compute>(compute)();
  byte_buffer payload;
  if (journal.find(chunk_id, payload)) return from_bytes<T>(payload);
  T value = std::forward<Compute>(compute)();
  journal.record(chunk_id, to_bytes(value));
  return value;
}

}  // namespace mpimr::detail
