// The cross-rank join of small trivially copyable partials with a user's join: MPI's own reduction
// with the join as a user-defined operation, declared non-commutative so that MPI applies it in
// rank order (MPI 4.1, section 6.9.5). It gives what the ordered tree of encoded values gives
// (ordered_allreduce_bytes) with MPI's reduce and broadcast of the raw bytes, instead of a framed
// message per tree edge and an encoding at each join. Iterative codes that join a few sums per
// iteration pay this on every iteration.
#pragma once

#include <mpi.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// Partials that take this path: their bytes are their value, and they fit in a small message.
template <class T>
inline constexpr bool fixed_size_partial = std::is_trivially_copyable_v<T> && sizeof(T) <= 4096;

/// A join that threw on some rank travels as that rank and the index of the failure there; the
/// message itself is broadcast by that rank afterwards, unchanged (not truncated to a slot).
struct fixed_slot_state {
  std::int32_t kind = 0;  // empty (a rank without chunks), value, or failed
  std::int32_t failed_rank = 0;
  std::uint64_t failure_index = 0;
};
inline constexpr std::int32_t slot_empty = 0;
inline constexpr std::int32_t slot_value = 1;
inline constexpr std::int32_t slot_failed = 2;

/// Every rank's `slot` (`bytes` long) joined in rank order by `apply`, a non-commutative operation,
/// in place on every rank (the datatype and operation live for this call only).
void allreduce_slot(MPI_Comm comm, void* slot, std::size_t bytes, MPI_User_function* apply);

/// The operation MPI runs for allreduce_fixed<T, Combine>: slots of a state and T's bytes.
template <class T, class Combine>
struct fixed_join {
  using bytes = std::array<std::byte, sizeof(T)>;
  struct slot {
    fixed_slot_state state;
    bytes value;
  };
  /// What the operation needs besides its arguments: MPI calls it on the calling thread, inside
  /// MPI_Reduce, with no room for a context pointer.
  struct call {
    Combine* combine;
    int rank;
    std::vector<std::string> failures;
  };
  static thread_local inline call* active = nullptr;

  /// right = left joined with right; the first failure in rank order wins, as in the tree, and an
  /// empty side changes nothing.
  static void join(const slot& left, slot& right) {
    if (left.state.kind == slot_failed || right.state.kind == slot_empty) {
      right = left;
      return;
    }
    if (left.state.kind == slot_empty || right.state.kind == slot_failed) return;
    const std::size_t failures = active->failures.size();
    try {
      right.value = std::bit_cast<bytes>(
          T((*active->combine)(std::bit_cast<T>(left.value), std::bit_cast<T>(right.value))));
    } catch (const std::exception& e) {
      active->failures.emplace_back(e.what());
    } catch (...) {
      active->failures.emplace_back("unknown exception in join");
    }
    if (active->failures.size() != failures) {
      right.state = {slot_failed, active->rank, failures};
    }
  }

  static void apply(void* in, void* inout, int* count, MPI_Datatype*) {
    const auto* left = static_cast<const slot*>(in);
    auto* right = static_cast<slot*>(inout);
    for (int i = 0; i < *count; ++i) join(left[i], right[i]);
  }
};

/// The message of the failure `state` names, sent whole by the rank where it happened (this is
/// rank `rank`, holding its own `failures`).
[[nodiscard]] std::string failure_message(MPI_Comm comm, int rank, const fixed_slot_state& state,
                                          const std::vector<std::string>& failures);

/// Joins every rank's `local` (empty on ranks without chunks) in rank order with `combine`
/// (T(T&&, T&&)); every rank gets the result, or throws task_error naming the rank whose join
/// threw, with its message. Collective over `comm`.
template <class T, class Combine>
[[nodiscard]] std::optional<T> allreduce_fixed(MPI_Comm comm, std::optional<T> local,
                                               Combine& combine) {
  static_assert(fixed_size_partial<T>);
  using join_type = fixed_join<T, Combine>;
  typename join_type::call context{&combine, 0, {}};
  MPI_Comm_rank(comm, &context.rank);
  typename join_type::slot mine{};
  if (local) {
    mine.state.kind = slot_value;
    mine.value = std::bit_cast<typename join_type::bytes>(*local);
  }
  auto* const outer = std::exchange(join_type::active, &context);
  allreduce_slot(comm, &mine, sizeof(mine), &join_type::apply);
  join_type::active = outer;
  if (mine.state.kind == slot_failed) {
    throw task_error(mine.state.failed_rank, task_error::no_chunk,
                     failure_message(comm, context.rank, mine.state, context.failures));
  }
  if (mine.state.kind == slot_empty) return std::nullopt;
  return std::bit_cast<T>(mine.value);
}

}  // namespace mpimr::detail
