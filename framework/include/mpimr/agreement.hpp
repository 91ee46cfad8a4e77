// What one rank alone knows, made known to all: a value from a root rank, and a failure that only
// some ranks saw (a file one node cannot read, a folder rank 0 cannot write), turned into the same
// exception on every rank before a later collective would wait for the ranks that gave up.
#pragma once

#include <optional>
#include <string>

#include "mpimr/context.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/root_agreement.hpp"

namespace mpimr {

/// Collective. Every rank ends with `root`'s value: numbers and trivially copyable types as raw
/// bytes, std::string, std::vector, Eigen objects, std::tuple, or anything Boost.Serialization
/// knows. A root outside 0..size-1, or ranks passing different roots, throw
/// mpimr::invalid_argument on every rank.
template <class T>
void broadcast(context& ctx, T& value, int root = 0) {
  detail::agree_on_root(ctx.communicator(), root, "broadcast");
  detail::byte_buffer bytes;
  if (ctx.rank() == root) bytes = detail::to_bytes(value);
  detail::bcast_bytes(ctx.communicator(), root, bytes);
  if (ctx.rank() != root) value = detail::from_bytes<T>(bytes);
}

/// Collective. Each rank passes what it alone found wrong, or nothing. If any rank passes a
/// message, every rank throws mpimr::invalid_argument with the message of the lowest such rank,
/// followed by " (on rank r)" when r is not 0; otherwise it returns on every rank.
void fail_together(context& ctx, const std::optional<std::string>& local_error);

}  // namespace mpimr
