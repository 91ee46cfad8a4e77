// The key-value shuffle, run while the map phase runs: emitted pairs are combined in a table of
// bounded size, which is sent on to the owners whenever it outgrows its budget; what arrives is
// combined into the table of keys this rank owns (with the default partition, pairs of keys this
// rank owns go there at once). So a rank never holds its whole map output, and input far larger
// than memory still completes.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/exchange_channel.hpp"
#include "mpimr/detail/table_selection.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/partition.hpp"

namespace mpimr::detail {

inline constexpr std::uint64_t default_shuffle_buffer_bytes = std::uint64_t{64} << 20U;

template <class K, class V, class Combine, class Partition>
class key_exchange {
 public:
  using table_type = table_for<K, V, Combine>;
  using entries_type = typename table_type::entries_type;

  /// `budget` bytes per rank (0: the default). The table is sent on once its estimate passes a
  /// third of it: its storage, which grows by doubling, may then hold up to two thirds, and the
  /// batch in flight, never larger than the table, one third.
  key_exchange(context& ctx, const Combine& combine, Partition partition, std::uint64_t budget)
      : channel_(ctx),
        local_(combine),
        owned_(combine),
        partition_(std::move(partition)),
        table_limit_(
            std::clamp<std::uint64_t>((budget != 0 ? budget : default_shuffle_buffer_bytes) / 3, 1,
                                      exchange_channel::max_message_bytes)) {}

  // tables_ points into this object.
  key_exchange(const key_exchange&) = delete;
  key_exchange& operator=(const key_exchange&) = delete;

  /// Inside a chunk: combines the pair in; sends the table on when it is over its limit.
  void emit(lookup_key_t<K> key, V value) {
    if (channel_.size() == 1) {
      // One rank owns every key: the map-side table would only be copied into the result. A
      // custom partitioner is still asked, so that a bad one fails at one rank as at many.
      if constexpr (!std::is_same_v<Partition, hash_partition>) static_cast<void>(owner_of(key));
      owned_.emit(key, std::move(value));
      return;
    }
    if constexpr (std::is_same_v<Partition, hash_partition>) {
      // The default owner is the key's hash modulo the ranks: keys this rank owns skip the
      // map-side table, which then holds (and sends) only other ranks' keys.
      // The table is chosen by index, not by a branch: the owner is a coin toss per key, so a
      // branch mispredicts on half the emits (measured: a tenth of a word count's time at 2 ranks).
      const std::uint64_t hash = stable_key_hash(key);
      const bool owned = owner_rank(hash, channel_.size()) == channel_.rank();
      tables_[static_cast<std::size_t>(owned)]->emit_hashed(key, hash, std::move(value));
    } else {
      local_.emit(key, std::move(value));
    }
    if (local_.bytes() > table_limit_) send_table();
    // Take in what others sent now and then, not only between chunks: a rank whose batch waits
    // to be taken stalls until this rank receives it.
    if (++emits_since_poll_ == emits_per_poll) {
      emits_since_poll_ = 0;
      poll();
    }
  }

  /// At the start of a chunk: takes in what arrived, and fails the chunk if taking in failed.
  void poll_in_chunk() {
    if (failure_) throw error(*failure_);
    if (channel_.size() == 1) return;
    // Not at every chunk: with more ranks than cores Open MPI gives up the core on a probe that
    // finds nothing, and tiny chunks then ran 10x slower (16 ranks on 2 cores, 1e5 chunks).
    const auto now = std::chrono::steady_clock::now();
    if (now < next_chunk_poll_) return;
    next_chunk_poll_ = now + chunk_poll_gap;
    channel_.poll(receiver());
  }

  /// While this rank waits after its chunk loop. Never throws.
  void poll() {
    if (channel_.size() > 1) channel_.poll(receiver());
  }

  /// After the chunk loop, on every path: sends the rest, takes in everything that was sent here.
  /// Throws the first failure seen while combining what arrived.
  void complete() {
    try {
      if (!failure_ && !local_.empty()) {
        // The index is not needed to drain: free it before the batch is encoded, once no key
        // waits to be looked up in it.
        local_.combine_waiting();
        local_.drop_index();
        send_table();
      }
    } catch (const std::exception& e) {
      failure_ = e.what();
    }
    local_.release();  // the owned table grows from here on: do not hold both
    channel_.finish(receiver());
    // The last emits may still wait in the owned table's batch: combine them here, where a
    // throwing combine fails the operation on every rank, not later in take_owned.
    try {
      if (!failure_) owned_.combine_waiting();
    } catch (const std::exception& e) {
      failure_ = e.what();
    } catch (...) {
      failure_ = "unknown exception while combining values";
    }
    if (failure_) throw error(*failure_);
  }

  /// The keys this rank owns, combined over every rank's values.
  [[nodiscard]] entries_type take_owned() noexcept { return owned_.take_entries(); }

 private:
  /// The partition's rank for `key`, checked. A key may come as a view of a std::string key: the
  /// default partition hashes the view; any other gets the string it was written for.
  template <class Key>
  int owner_of(const Key& key) {
    const int ranks = channel_.size();
    int owner = 0;
    if constexpr (std::is_same_v<Key, K> || std::is_same_v<Partition, hash_partition>) {
      owner = partition_(key, ranks);
    } else {
      owner = partition_(K(key), ranks);
    }
    if (owner < 0 || owner >= ranks) {
      throw invalid_argument(std::string("the partitioner returned rank ")
                                 .append(std::to_string(owner))
                                 .append(" for a key; valid ranks are 0 to ")
                                 .append(std::to_string(ranks - 1)));
    }
    return owner;
  }

  void send_table() {
    const int ranks = channel_.size();
    auto owner_of = [this](const auto& key) { return this->owner_of(key); };
    auto keep = [&]<class Key>(Key&& key, V value) {
      if constexpr (std::is_same_v<std::remove_cvref_t<Key>, K>) {
        owned_.emit_owned(std::forward<Key>(key), std::move(value));
      } else {
        owned_.emit(key, std::move(value));
      }
    };
    auto batches = local_.drain_by_owner(ranks, owner_of, channel_.rank(), keep);
    channel_.send(std::move(batches), receiver());
  }

  /// Combines an arriving batch into the owned table; a failure is kept, not thrown, so that the
  /// exchange still completes on every rank.
  [[nodiscard]] auto receiver() {
    return [this](std::span<const std::byte> batch) {
      if (failure_) return;
      try {
        owned_.emit_records(batch);
      } catch (const std::exception& e) {
        failure_ = e.what();
      } catch (...) {
        failure_ = "unknown exception while combining received values";
      }
    };
  }

  static constexpr std::uint32_t emits_per_poll = 4096;
  static constexpr auto chunk_poll_gap = std::chrono::microseconds(100);

  exchange_channel channel_;
  table_type local_;
  table_type owned_;
  std::array<table_type*, 2> tables_{&local_, &owned_};  // [key owned here]
  Partition partition_;
  std::uint64_t table_limit_;
  std::uint32_t emits_since_poll_ = 0;
  std::chrono::steady_clock::time_point next_chunk_poll_{};
  std::optional<std::string> failure_;
};

}  // namespace mpimr::detail
