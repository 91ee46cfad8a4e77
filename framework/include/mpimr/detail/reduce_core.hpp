// The reduction engine behind reduce and transform_reduce: per-chunk partials folded on each rank,
// then joined across ranks by MPI itself (built-in ops on buffers, and any join of small trivially
// copyable values), by an ordered tree of encoded values (any other join), or along the fixed
// chunk tree (deterministic mode).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "mpimr/context.hpp"
#include "mpimr/detail/builtin_ops.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/executor.hpp"
#include "mpimr/detail/fixed_allreduce.hpp"
#include "mpimr/detail/operation_journal.hpp"
#include "mpimr/detail/ordered_partials.hpp"

namespace mpimr::detail {

/// Joins two values exactly as they will be joined across ranks: MPI's element-wise semantics for
/// built-in ops (in place, no temporaries), the user's join otherwise.
template <class T, class Join>
struct joiner {
  Join* join;
  T operator()(T&& left, T&& right) const {
    if constexpr (builtin_join<Join, T>) {
      builtin_op<std::remove_cvref_t<Join>, T>::apply(left, right);
      return std::move(left);
    } else {
      return T(std::invoke(*join, std::move(left), std::move(right)));
    }
  }
};

/// What must match across ranks before MPI joins raw buffers element by element.
template <class T>
[[nodiscard]] std::uint64_t shape_fingerprint(const T& value) noexcept {
  if constexpr (eigen_dense<T>) {
    return hash_combine(static_cast<std::uint64_t>(value.rows()),
                        static_cast<std::uint64_t>(value.cols()));
  } else if constexpr (mpi_buffer<T> && !mpi_scalar<T>) {
    return static_cast<std::uint64_t>(value.size());
  } else {
    return 0;
  }
}

/// Records an empty callable (null function pointer, empty std::function) as a bad argument.
template <class F>
void check_callable(const F& f, const char* what, execution_request& request) {
  if constexpr (std::is_constructible_v<bool, const F&>) {
    if (!static_cast<bool>(f) && request.invalid_argument.empty()) {
      request.invalid_argument = std::string(what) + " is empty";
    }
  }
}

// In both engines `chunk_partial` gives a chunk's partial result, from the checkpoint journal or
// computed (the caller owns the journal: an operation may record more than the partial).

template <class T, class Join>
[[nodiscard]] std::optional<T> reduce_deterministic(context& ctx, const execution_request& request,
                                                    function_ref<T(const chunk&)> chunk_partial,
                                                    Join& join) {
  using partials = ordered_partials<T, joiner<T, Join>>;
  const std::uint64_t count = request.plan.chunk_count;
  const joiner<T, Join> join_values{&join};
  partials mine(count, join_values);
  execute(
      ctx, request, [&](const chunk& c) { mine.insert_chunk(c.id, chunk_partial(c)); },
      [] { return std::uint64_t{0}; });
  byte_buffer local;
  byte_writer writer(local);
  mine.encode(writer);
  const byte_buffer all = ordered_allreduce_bytes(ctx.communicator(), std::move(local),
                                                  [&](byte_buffer&& left, byte_buffer&& right) {
                                                    partials merged(count, join_values);
                                                    partials other(count, join_values);
                                                    byte_reader left_reader(left);
                                                    byte_reader right_reader(right);
                                                    merged.decode(left_reader);
                                                    other.decode(right_reader);
                                                    merged.merge(std::move(other));
                                                    byte_buffer out;
                                                    byte_writer out_writer(out);
                                                    merged.encode(out_writer);
                                                    return out;
                                                  });
  partials result(count, join_values);
  byte_reader reader(all);
  result.decode(reader);
  return result.take_root();
}

/// Folds this rank's chunks in arrival order, then joins across ranks. `shape_like` gives ranks
/// without chunks a neutral value of the right shape for MPI's built-in ops.
template <class T, class Join>
[[nodiscard]] std::optional<T> reduce_unordered(context& ctx, const execution_request& request,
                                                function_ref<T(const chunk&)> chunk_partial,
                                                Join& join, const T& shape_like) {
  const joiner<T, Join> join_values{&join};
  std::optional<T> acc;
  execute(
      ctx, request,
      [&](const chunk& c) {
        T partial = chunk_partial(c);
        if constexpr (builtin_join<Join, T>) {
          // MPI joins raw buffers element by element: every partial must have the identity's shape.
          if (!acc && shape_fingerprint(partial) != shape_fingerprint(shape_like)) {
            throw invalid_argument("a partial result has shape " + shape_text(partial) +
                                   " but the identity has " + shape_text(shape_like) +
                                   "; they must match");
          }
        }
        if (acc) {
          acc = join_values(std::move(*acc), std::move(partial));
        } else {
          acc.emplace(std::move(partial));
        }
      },
      [&] { return shape_fingerprint(acc ? *acc : shape_like); });
  if (request.plan.chunk_count == 0) return std::nullopt;

  if constexpr (builtin_join<Join, T>) {
    using op = builtin_op<std::remove_cvref_t<Join>, T>;
    using scalar = buffer_scalar_t<T>;
    T value = acc ? std::move(*acc) : neutral_like<Join>(shape_like);
    allreduce_in_place(ctx.communicator(), buffer_data(value), buffer_size(value),
                       mpi_datatype<scalar>(), sizeof(scalar), op::mpi_op());
    return value;
  } else if constexpr (fixed_size_partial<T>) {
    return allreduce_fixed(ctx.communicator(), std::move(acc), join_values);
  } else {
    const byte_buffer all = ordered_allreduce_bytes(
        ctx.communicator(), to_bytes(acc), [&](byte_buffer&& left, byte_buffer&& right) {
          auto a = from_bytes<std::optional<T>>(left);
          auto b = from_bytes<std::optional<T>>(right);
          if (!a) return std::move(right);
          if (!b) return std::move(left);
          return to_bytes(std::optional<T>(join_values(std::move(*a), std::move(*b))));
        });
    return from_bytes<std::optional<T>>(all);
  }
}

template <class T, class Join>
[[nodiscard]] std::optional<T> reduce_chunks(context& ctx, const execution_request& request,
                                             bool deterministic,
                                             function_ref<T(const chunk&)> chunk_partial,
                                             Join& join, const T& shape_like) {
  if (deterministic) return reduce_deterministic<T>(ctx, request, chunk_partial, join);
  return reduce_unordered<T>(ctx, request, chunk_partial, join, shape_like);
}

/// reduce_chunks with each chunk's partial (`body(chunk)`) recorded in, and on a rerun taken from,
/// the checkpoint journal as a "reduce" operation.
template <class T, class Join>
[[nodiscard]] std::optional<T> reduce_journaled(context& ctx, const execution_request& request,
                                                bool deterministic,
                                                function_ref<T(const chunk&)> body, Join& join,
                                                const T& shape_like) {
  operation_journal journal(ctx, "reduce", request);
  auto chunk_partial = [&](const chunk& c) {
    return journaled<T>(journal, c.id, [&] { return body(c); });
  };
  return reduce_chunks<T>(ctx, request, deterministic, chunk_partial, join, shape_like);
}

}  // namespace mpimr::detail
