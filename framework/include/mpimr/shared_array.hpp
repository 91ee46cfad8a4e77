// Data held once per node: an MPI-3 shared-memory window that the ranks of a node fill (together,
// or one of them) and then all read, so memory per node does not grow with its ranks. Inputs, and
// vectors that mpimr::fill_and_reduce rewrites every iteration.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/agreement.hpp"
#include "mpimr/context.hpp"
#include "mpimr/errors.hpp"

namespace mpimr {

namespace detail {

/// `bytes` allocated once per node by the node's first rank in an MPI-3 shared-memory window and
/// mapped by every rank of the node, starting at a 64-byte boundary. Collective over the
/// context's ranks to create (every rank passes the same size) and over the node's ranks to
/// destroy; like the context, destroy it in the same order on every rank.
class node_shared_block {
 public:
  node_shared_block() = default;
  node_shared_block(context& ctx, std::uint64_t bytes);
  ~node_shared_block();
  node_shared_block(node_shared_block&& other) noexcept;
  node_shared_block& operator=(node_shared_block&& other) noexcept;
  node_shared_block(const node_shared_block&) = delete;
  node_shared_block& operator=(const node_shared_block&) = delete;

  [[nodiscard]] std::byte* data() const noexcept { return data_; }
  [[nodiscard]] std::uint64_t size() const noexcept { return bytes_; }
  /// This rank's position among the ranks of its node, and their number.
  [[nodiscard]] int node_rank() const noexcept { return node_rank_; }
  [[nodiscard]] int node_size() const noexcept { return node_size_; }

  /// Collective over the node's ranks: every write any of them made to the block before the call
  /// is visible to all of them after it.
  void publish() const;
  /// This rank's half of publish(), without the barrier: when a writer's memory barrier (this, or
  /// a full fence) and a reader's sync() are ordered by some other communication between them (a
  /// collective over ranks that include both), the reader then sees the writes.
  void sync() const;

 private:
  void release() noexcept;

  MPI_Win window_ = MPI_WIN_NULL;
  MPI_Comm node_comm_ = MPI_COMM_NULL;
  std::byte* data_ = nullptr;
  std::uint64_t bytes_ = 0;
  int node_rank_ = 0;
  int node_size_ = 1;
};

/// Collective: returns on every rank the count that the ranks passing one passed; throws
/// mpimr::invalid_argument on every rank, naming `what` and the smallest and largest count, unless
/// those are all equal. Ranks passing nullopt take no part (they do not know the count yet); at
/// least one rank must pass a count.
[[nodiscard]] std::uint64_t agree_on_count(context& ctx, std::optional<std::uint64_t> count,
                                           const char* what);

/// This rank's position among the ranks of its node (0 for exactly one rank per node).
[[nodiscard]] int node_rank_of(const context& ctx) noexcept;

struct shared_array_access;

}  // namespace detail

/// An array of `T` that every rank reads and that exists once per node: the ranks of a node map
/// the same memory (an MPI-3 shared-memory window), so a node with 32 ranks holds one copy of an
/// input, not 32. Read-only once built, except through two collective rewrites: refill (each
/// node's ranks, as the constructor) and mpimr::fill_and_reduce (an iteration's new vector, by
/// chunks). Move-only. Collective to build, and to destroy in the same order on every rank (as
/// mpimr::context); destroy it before its context.
///
///   // Points every rank reads, generated once per node by all of its ranks together:
///   mpimr::shared_array<double> xs(ctx, n, [&](std::span<double> part, std::uint64_t first) {
///     for (std::size_t i = 0; i < part.size(); ++i) part[i] = f(first + i);
///   });
///   // Or a file parsed by one rank per node:
///   auto rows = mpimr::shared_array<row>::from_node_leader(ctx, [&] { return parse(path); });
template <class T>
class shared_array {
  static_assert(std::is_trivially_copyable_v<T>,
                "mpimr::shared_array holds raw bytes: T must be trivially copyable");
  static_assert(alignof(T) <= 64, "mpimr::shared_array aligns its data to 64 bytes at most");

 public:
  shared_array() = default;

  /// Collective. `count` elements, filled by the ranks of each node in parallel: each calls
  /// fill(std::span<T> part, std::uint64_t first) once for its contiguous share (possibly empty)
  /// of [0, count), where part[i] is element first + i. Ranks passing different counts throw
  /// mpimr::invalid_argument on every rank. If `fill` throws on some rank, every rank throws
  /// mpimr::invalid_argument with the message of the lowest such rank.
  template <class Fill>
  shared_array(context& ctx, std::uint64_t count, Fill&& fill) {
    allocate(ctx, detail::agree_on_count(ctx, count, "mpimr::shared_array: the ranks' sizes"));
    fill_share(ctx, fill);
  }

  /// Collective. `make()` runs on one rank per node and returns the contents as a std::vector<T>
  /// (parsed from a file, say), which is copied into the node's array and freed. The ranks of a
  /// node wait meanwhile. Every node's vector must have the same size, or every rank throws
  /// mpimr::invalid_argument; so does every rank if `make` throws on one (the lowest such rank's
  /// message). The vector and the array coexist for a moment: the node's peak is twice the data.
  template <class Make>
  static shared_array from_node_leader(context& ctx, Make&& make) {
    std::vector<T> made;
    std::optional<std::string> failure;
    const bool leader = detail::node_rank_of(ctx) == 0;
    if (leader) failure = run_fill([&] { made = make(); });
    fail_together(ctx, failure);
    std::optional<std::uint64_t> count;
    if (leader) count = made.size();
    shared_array result;
    result.allocate(
        ctx, detail::agree_on_count(ctx, count,
                                    "mpimr::shared_array::from_node_leader: the nodes' sizes"));
    if (leader && !made.empty()) {
      std::copy(made.begin(), made.end(), result.writable());
      std::vector<T>().swap(made);
    }
    result.block_.publish();
    return result;
  }

  /// Collective over the context's ranks, as the constructor: the ranks of each node rewrite the
  /// array in parallel, each calling fill(std::span<T> part, std::uint64_t first) once for the
  /// same share of [0, size()) as the constructor gave it, and every rank of the node then sees
  /// every element. Nothing crosses nodes: each node computes its whole copy from what it holds
  /// (as a vector derived element by element from another shared_array). No rank may be reading
  /// the array meanwhile. If `fill` throws on some rank, every rank throws
  /// mpimr::invalid_argument with the message of the lowest such rank, the array partly written.
  template <class Fill>
  void refill(context& ctx, Fill&& fill) {
    fill_share(ctx, fill);
  }

  [[nodiscard]] std::span<const T> span() const noexcept { return {data(), size()}; }
  [[nodiscard]] const T* data() const noexcept { return reinterpret_cast<const T*>(block_.data()); }
  [[nodiscard]] std::size_t size() const noexcept {
    return static_cast<std::size_t>(block_.size() / sizeof(T));
  }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  [[nodiscard]] const T* begin() const noexcept { return data(); }
  [[nodiscard]] const T* end() const noexcept { return data() + size(); }

 private:
  /// Each rank of the node fills its share of the whole array; then every rank of the node sees
  /// all of it. Collective over the context (the failure agreement).
  template <class Fill>
  void fill_share(context& ctx, Fill& fill) {
    const std::uint64_t count = size();
    const auto rank = static_cast<std::uint64_t>(block_.node_rank());
    const auto ranks = static_cast<std::uint64_t>(block_.node_size());
    // Balanced shares without overflow: count * rank could exceed 64 bits.
    const std::uint64_t first = count / ranks * rank + std::min(rank, count % ranks);
    const std::uint64_t length = count / ranks + (rank < count % ranks ? 1 : 0);
    std::optional<std::string> failure = run_fill(
        [&] { fill(std::span<T>(writable() + first, static_cast<std::size_t>(length)), first); });
    fail_together(ctx, failure);
    block_.publish();
  }

  /// Collective over the context, with the count every rank agreed on (so all throw or none).
  void allocate(context& ctx, std::uint64_t count) {
    if (count > std::numeric_limits<std::size_t>::max() / sizeof(T)) {
      std::string message("mpimr::shared_array: ");
      message.append(std::to_string(count)).append(" elements of ");
      message.append(std::to_string(sizeof(T))).append(" bytes do not fit in memory");
      throw invalid_argument(message);
    }
    block_ = detail::node_shared_block(ctx, count * sizeof(T));
  }

  [[nodiscard]] T* writable() const noexcept { return reinterpret_cast<T*>(block_.data()); }

  template <class Body>
  static std::optional<std::string> run_fill(Body&& body) {
    try {
      body();
    } catch (const std::exception& e) {
      return std::string(e.what());
    } catch (...) {
      return std::string("mpimr::shared_array: the fill threw a non-standard exception");
    }
    return std::nullopt;
  }

  friend struct detail::shared_array_access;

  detail::node_shared_block block_;  // its size is the element count times sizeof(T)
};

namespace detail {

/// What mpimr::fill_and_reduce needs to write into a shared_array and complete it.
struct shared_array_access {
  template <class T>
  [[nodiscard]] static std::span<T> writable(shared_array<T>& array) noexcept {
    return {array.writable(), array.size()};
  }
  template <class T>
  [[nodiscard]] static const node_shared_block& block(const shared_array<T>& array) noexcept {
    return array.block_;
  }
};

}  // namespace detail

}  // namespace mpimr
