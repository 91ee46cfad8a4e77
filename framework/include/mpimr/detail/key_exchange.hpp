// The key-value shuffle, run while the map phase runs: emitted pairs are combined in a table of
// bounded size, which is sent on to the owners whenever it outgrows its budget; what arrives is
// combined into the table of keys this rank owns. So a rank never holds its whole map output, and
// input far larger than memory still completes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/exchange_channel.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

inline constexpr std::uint64_t default_shuffle_buffer_bytes = std::uint64_t{64} << 20U;

template <class K, class V, class Combine, class Partition>
class key_exchange {
 public:
  using map_type = typename combining_table<K, V, Combine>::map_type;

  /// `budget` bytes per rank (0: the default): half for the map-side table, half for the batch in
  /// flight.
  key_exchange(context& ctx, const Combine& combine, Partition partition, std::uint64_t budget)
      : channel_(ctx),
        local_(combine),
        owned_(combine),
        partition_(std::move(partition)),
        table_limit_(
            std::max<std::uint64_t>(1, (budget != 0 ? budget : default_shuffle_buffer_bytes) / 2)),
        batch_limit_(std::min(table_limit_, exchange_channel::max_message_bytes)) {}

  /// Inside a chunk: combines the pair in; sends the table on when it is over its limit.
  void emit(K key, V value) {
    local_.emit(std::move(key), std::move(value));
    if (local_.bytes() > table_limit_) send_some();
  }

  /// At the start of a chunk: takes in what arrived, and fails the chunk if taking in failed.
  void poll_in_chunk() {
    if (failure_) throw error(*failure_);
    if (channel_.size() > 1) channel_.poll(receiver());
  }

  /// While this rank waits after its chunk loop. Never throws.
  void poll() {
    if (channel_.size() > 1) channel_.poll(receiver());
  }

  /// After the chunk loop, on every path: sends the rest, takes in everything that was sent here.
  /// Throws the first failure seen while combining what arrived.
  void complete() {
    try {
      while (!failure_ && !local_.empty()) send_some();
    } catch (const std::exception& e) {
      failure_ = e.what();
    }
    channel_.finish(receiver());
    if (failure_) throw error(*failure_);
  }

  /// The keys this rank owns, combined over every rank's values.
  [[nodiscard]] map_type take_owned() noexcept { return owned_.take_entries(); }

 private:
  void send_some() {
    const int ranks = channel_.size();
    auto owner_of = [&](const K& key) {
      const int owner = partition_(key, ranks);
      if (owner < 0 || owner >= ranks) {
        throw invalid_argument(std::string("the partitioner returned rank ")
                                   .append(std::to_string(owner))
                                   .append(" for a key; valid ranks are 0 to ")
                                   .append(std::to_string(ranks - 1)));
      }
      return owner;
    };
    auto keep = [&](K&& key, V&& value) { owned_.emit(std::move(key), std::move(value)); };
    auto batches = local_.drain_by_owner(ranks, batch_limit_, owner_of, channel_.rank(), keep);
    channel_.send(std::move(batches), receiver());
  }

  /// Combines an arriving batch into the owned table; a failure is kept, not thrown, so that the
  /// exchange still completes on every rank.
  [[nodiscard]] auto receiver() {
    return [this](std::span<const std::byte> batch) {
      if (failure_) return;
      try {
        for_each_record<K, V>(
            batch, [&](K&& key, V&& value) { owned_.emit(std::move(key), std::move(value)); });
      } catch (const std::exception& e) {
        failure_ = e.what();
      } catch (...) {
        failure_ = "unknown exception while combining received values";
      }
    };
  }

  exchange_channel channel_;
  combining_table<K, V, Combine> local_;
  combining_table<K, V, Combine> owned_;
  Partition partition_;
  std::uint64_t table_limit_;
  std::uint64_t batch_limit_;
  std::optional<std::string> failure_;
};

}  // namespace mpimr::detail
