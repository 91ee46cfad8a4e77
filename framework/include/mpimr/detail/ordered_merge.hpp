// Streams every rank's records to one root in bounded batches pulled on demand, so that the root
// can merge them in key order (or join them in rank order) while it holds only about one batch
// per rank, never the whole result. Used by distributed_map's gather-to-root and write_sorted.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/function_ref.hpp"
#include "mpimr/detail/root_agreement.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// Encoded bytes after which a batch closes, unless the caller picks another bound.
inline constexpr std::uint64_t default_batch_bytes = std::uint64_t{1} << 20U;

/// Tags of the pull protocol, on the context's main communicator; apart from byte_transport.hpp's
/// message_tag values (101-105: cancel channel, service dispenser, tree reduction, exchange).
inline constexpr int tag_pull_request = 121;
inline constexpr int tag_pull_batch = 122;

/// Appends the next records of this rank's stream to the batch; returns true once the stream has
/// ended (the records appended by that call are still part of it).
using batch_producer = function_ref<bool(byte_buffer&)>;

/// The last byte of every batch message says what the rest is.
enum class batch_status : std::uint8_t { more = 0, last = 1, failed = 2 };

/// A producer threw on `rank`; carries its message to the root.
class producer_failure : public error {
 public:
  producer_failure(int rank, const std::string& message) : error(message), rank_(rank) {}
  [[nodiscard]] int rank() const noexcept { return rank_; }

 private:
  int rank_;
};

/// The root's side of a pull: one stream of batches per rank, its own produced in place.
class batch_streams {
 public:
  batch_streams(MPI_Comm comm, int root, batch_producer local)
      : comm_(comm), local_(local), root_(root) {
    int size = 1;
    MPI_Comm_size(comm, &size);
    states_.assign(static_cast<std::size_t>(size), state::idle);
  }
  ~batch_streams() { stop(); }
  batch_streams(const batch_streams&) = delete;
  batch_streams& operator=(const batch_streams&) = delete;

  [[nodiscard]] int ranks() const noexcept { return static_cast<int>(states_.size()); }

  /// Asks `rank` for its next batch unless it was asked already, so that it prepares the batch
  /// while the root works on other ranks' records.
  void prefetch(int rank) {
    auto& s = states_[static_cast<std::size_t>(rank)];
    if (rank == root_ || s != state::idle) return;
    send_request(rank, 1);
    s = state::requested;
  }

  /// The next batch of `rank`'s stream, or nothing once it has ended. Asks for the batch after it
  /// at once. Throws producer_failure if the rank's producer threw.
  [[nodiscard]] std::optional<byte_buffer> next(int rank) {
    auto& s = states_[static_cast<std::size_t>(rank)];
    if (s == state::ended) return std::nullopt;
    if (rank == root_) return next_local();
    prefetch(rank);
    byte_buffer batch = recv_bytes(comm_, rank, tag_pull_batch);
    const auto status = take_status(batch);
    if (status == batch_status::more) {
      s = state::idle;
      prefetch(rank);
    } else {
      s = state::ended;
    }
    if (status == batch_status::failed) throw producer_failure(rank, as_text(batch));
    return batch;
  }

  /// Ends the pull early or on time: takes every batch still on its way and tells every rank whose
  /// stream has not ended to stop, so that no rank is left waiting to send. Safe to repeat.
  void stop() noexcept {
    for (int rank = 0; rank < ranks(); ++rank) {
      auto& s = states_[static_cast<std::size_t>(rank)];
      if (rank == root_) {
        s = state::ended;
        continue;
      }
      if (s == state::requested) {
        byte_buffer unused = recv_bytes(comm_, rank, tag_pull_batch);
        s = take_status(unused) == batch_status::more ? state::idle : state::ended;
      }
      if (s == state::idle) send_request(rank, 0);
      s = state::ended;
    }
  }

 private:
  // idle: the rank waits for a request; requested: a batch (or failure) is on its way.
  enum class state : std::uint8_t { idle, requested, ended };

  std::optional<byte_buffer> next_local() {
    auto& s = states_[static_cast<std::size_t>(root_)];
    byte_buffer batch;
    try {
      if (local_(batch)) s = state::ended;
    } catch (const std::exception& e) {
      s = state::ended;
      throw producer_failure(root_, e.what());
    } catch (...) {
      s = state::ended;
      throw producer_failure(root_, "unknown exception (not derived from std::exception)");
    }
    return batch;
  }

  void send_request(int rank, std::uint8_t go) {
    MPI_Send(&go, 1, MPI_UINT8_T, rank, tag_pull_request, comm_);
  }

  static batch_status take_status(byte_buffer& batch) {
    if (batch.empty()) throw error("mpimr: a batch message without its status byte");
    const auto status = static_cast<batch_status>(batch.back());
    batch.pop_back();
    return status;
  }

  static std::string as_text(const byte_buffer& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

  MPI_Comm comm_;
  batch_producer local_;
  int root_;
  std::vector<state> states_;
};

/// A non-root rank's side of a pull: answers the root's requests with batches from `produce`
/// until the root says stop or the stream ends. A producer's exception is sent in place of a batch
/// and ends the stream.
inline void serve_batches(MPI_Comm comm, int root, batch_producer produce) {
  for (;;) {
    std::uint8_t go = 0;
    MPI_Recv(&go, 1, MPI_UINT8_T, root, tag_pull_request, comm, MPI_STATUS_IGNORE);
    if (go == 0) return;
    byte_buffer batch;
    auto status = batch_status::more;
    std::string failure;
    try {
      if (produce(batch)) status = batch_status::last;
    } catch (const std::exception& e) {
      failure = e.what();
      status = batch_status::failed;
    } catch (...) {
      failure = "unknown exception (not derived from std::exception)";
      status = batch_status::failed;
    }
    if (status == batch_status::failed) {
      const auto* text = reinterpret_cast<const std::byte*>(failure.data());
      batch.assign(text, text + failure.size());
    }
    batch.push_back(static_cast<std::byte>(status));
    send_bytes(comm, root, tag_pull_batch, batch);
    if (status != batch_status::more) return;
  }
}

/// How a pull ended, the same on every rank.
struct pull_outcome {
  enum class kind : std::uint8_t { ok = 0, producer_failed = 1, consumer_failed = 2 };
  kind what = kind::ok;
  int rank = 0;  // where it failed
  std::string message;
};

/// Collective: the root runs `consume(streams)` while every other rank serves batches from
/// `produce`; then every rank learns from the root how it went. A failure anywhere stops the pull
/// on every rank (the root drains and stops the others), so nobody waits forever.
inline pull_outcome pull_to_root(MPI_Comm comm, int root, batch_producer produce,
                                 function_ref<void(batch_streams&)> consume) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  pull_outcome outcome;
  if (rank == root) {
    batch_streams streams(comm, root, produce);
    try {
      consume(streams);
    } catch (const producer_failure& e) {
      outcome = {pull_outcome::kind::producer_failed, e.rank(), e.what()};
    } catch (const std::exception& e) {
      outcome = {pull_outcome::kind::consumer_failed, root, e.what()};
    } catch (...) {
      outcome = {pull_outcome::kind::consumer_failed, root, "unknown exception"};
    }
    streams.stop();
  } else {
    serve_batches(comm, root, produce);
  }
  byte_buffer report;
  if (rank == root) {
    byte_writer w(report);
    w.pod(static_cast<std::uint8_t>(outcome.what));
    w.pod(static_cast<std::int32_t>(outcome.rank));
    encode(w, outcome.message);
  }
  bcast_bytes(comm, root, report);
  byte_reader r(report);
  outcome.what = static_cast<pull_outcome::kind>(r.pod<std::uint8_t>());
  outcome.rank = r.pod<std::int32_t>();
  decode(r, outcome.message);
  return outcome;
}

/// One rank's entries of `map` as a batch_producer: each record written by
/// `encode_record(writer, key, value)`, in key order when `sorted` (sorted on the first pull, so
/// that a failure there travels like any producer failure). A batch closes once it holds
/// `batch_bytes`; it holds at least one record, so that any record, however large, makes progress.
template <class Map, class EncodeRecord>
class local_records {
 public:
  local_records(const Map& map, bool sorted, std::uint64_t batch_bytes, EncodeRecord encode_record)
      : map_(map),
        sorted_(sorted),
        batch_bytes_(std::max<std::uint64_t>(batch_bytes, 1)),
        encode_record_(std::move(encode_record)),
        unsorted_next_(map.begin()) {}

  bool operator()(byte_buffer& batch) {
    if (sorted_ && !started_) sort_entries();
    started_ = true;
    byte_writer writer(batch);
    while (batch.size() < batch_bytes_) {
      const auto next = next_entry();
      if (!next) return true;
      // A reference into a vector of pairs, or a (key view, value) pair the map built.
      const auto& entry = **next;
      encode_record_(writer, entry.first, entry.second);
    }
    return sorted_ ? sorted_next_ == order_.size() : unsorted_next_ == map_.end();
  }

 private:
  using iterator = typename Map::const_iterator;

  void sort_entries() {
    order_.reserve(map_.size());
    for (auto it = map_.begin(); it != map_.end(); ++it) order_.push_back(it);
    std::sort(order_.begin(), order_.end(),
              [](const iterator& a, const iterator& b) { return (*a).first < (*b).first; });
  }

  std::optional<iterator> next_entry() {
    if (sorted_) {
      if (sorted_next_ == order_.size()) return std::nullopt;
      return order_[sorted_next_++];
    }
    if (unsorted_next_ == map_.end()) return std::nullopt;
    return unsorted_next_++;
  }

  const Map& map_;
  bool sorted_;
  bool started_ = false;
  std::uint64_t batch_bytes_;
  EncodeRecord encode_record_;
  std::vector<iterator> order_;  // only when sorted: positions, not copies of entries
  std::size_t sorted_next_ = 0;
  typename Map::const_iterator unsorted_next_;
};

/// On the root: every rank's records (encoded as a K, then a T), whole streams in rank order,
/// passed to `sink(K&&, T&&)`.
template <class K, class T, class Sink>
void concatenate_streams(batch_streams& streams, Sink&& sink) {
  for (int rank = 0; rank < streams.ranks(); ++rank) streams.prefetch(rank);
  for (int rank = 0; rank < streams.ranks(); ++rank) {
    while (auto batch = streams.next(rank)) for_each_record<K, T>(*batch, sink);
  }
}

/// On the root: a k-way merge of the ranks' streams, each sorted by key (records encoded as a K,
/// then a T), passed to `sink(K&&, T&&)` in key order; equal keys (which distinct owners never
/// hold) in rank order. Holds one decoded batch per rank.
template <class K, class T, class Sink>
void merge_sorted_streams(batch_streams& streams, Sink&& sink) {
  struct cursor {
    std::vector<std::pair<K, T>> records;
    std::size_t next = 0;
  };
  std::vector<cursor> cursors(static_cast<std::size_t>(streams.ranks()));
  // Loads the rank's next non-empty batch; false once its stream has ended.
  auto refill = [&](int rank) {
    auto& c = cursors[static_cast<std::size_t>(rank)];
    c.records.clear();
    c.next = 0;
    while (c.records.empty()) {
      auto batch = streams.next(rank);
      if (!batch) return false;
      for_each_record<K, T>(*batch, [&](K&& key, T&& value) {
        c.records.emplace_back(std::move(key), std::move(value));
      });
    }
    return true;
  };
  auto head = [&](int rank) -> const K& {
    const auto& c = cursors[static_cast<std::size_t>(rank)];
    return c.records[c.next].first;
  };
  // priority_queue puts the greatest on top: "a after b" makes the smallest key come first.
  auto after = [&](int a, int b) {
    const K& ka = head(a);
    const K& kb = head(b);
    return kb < ka || (!(ka < kb) && b < a);
  };
  std::priority_queue<int, std::vector<int>, decltype(after)> heads(after);
  for (int rank = 0; rank < streams.ranks(); ++rank) streams.prefetch(rank);
  for (int rank = 0; rank < streams.ranks(); ++rank) {
    if (refill(rank)) heads.push(rank);
  }
  while (!heads.empty()) {
    const int rank = heads.top();
    heads.pop();
    auto& c = cursors[static_cast<std::size_t>(rank)];
    auto& record = c.records[c.next++];
    sink(std::move(record.first), std::move(record.second));
    if (c.next < c.records.size() || refill(rank)) heads.push(rank);
  }
}

}  // namespace mpimr::detail
