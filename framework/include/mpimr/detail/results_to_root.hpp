// The results of mpimr::map_to on their way to one root rank: every other rank keeps the results of
// its own chunks and hands them out in batches of bounded size; the root writes each batch into
// place.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {

/// Results that travel as their bytes. Not bool: the root's std::vector<bool> has no data().
template <class R>
inline constexpr bool raw_results = std::is_trivially_copyable_v<R> && !std::is_same_v<R, bool>;

/// A non-root rank's results until the root pulls them: the values in the order they were
/// computed, and the runs of result positions they fill. The values sit in blocks of about 64 KiB,
/// so that growing never copies the values already there (a vector would hold up to twice the
/// results while it grows), raw results leave a block with one copy, and each block is freed once
/// sent.
template <class R>
class pending_results {
 public:
  void push(R&& value) {
    if (blocks_.empty() || blocks_.back().size() == block_size) {
      blocks_.emplace_back().reserve(block_size);
    }
    blocks_.back().push_back(std::move(value));
  }

  /// The last `count` values pushed are the results at positions offset, offset + 1, ...
  void add_run(std::uint64_t offset, std::uint64_t count) {
    if (count == 0) return;
    if (!runs_.empty() && runs_.back().offset + runs_.back().count == offset) {
      runs_.back().count += count;  // the next chunk of a static block: one run
    } else {
      runs_.push_back({offset, count});
    }
  }

  /// Appends records (position of the first result, count, the results) to `batch` until it holds
  /// `batch_bytes`; at least one result, so that a result larger than a batch still travels. True
  /// once every result has been taken. Call only after the last push.
  bool fill(byte_buffer& batch, std::uint64_t batch_bytes) {
    // Room for the whole batch at once (all of it for raw results; encoded ones may pass the bound
    // by one result): growing a buffer step by step moves it and touches fresh pages at every
    // step, which made encoding rows of numbers ten times slower than copying them.
    if (next_run_ < runs_.size()) batch.reserve(batch.size() + batch_bytes + 16 + sizeof(R));
    byte_writer writer(batch);
    while (next_run_ < runs_.size() && batch.size() < batch_bytes) {
      const run& r = runs_[next_run_];
      const std::uint64_t left = r.count - taken_in_run_;
      writer.pod(r.offset + taken_in_run_);
      const std::size_t count_at = batch.size();
      writer.pod(std::uint64_t{0});  // the count, written once known
      std::uint64_t count = 0;
      if constexpr (raw_results<R>) {
        const std::uint64_t room =
            batch.size() < batch_bytes ? (batch_bytes - batch.size()) / sizeof(R) : 0;
        count = std::clamp<std::uint64_t>(room, 1, left);
        for (std::uint64_t copied = 0; copied < count;) {
          const std::vector<R>& block = blocks_.front();
          const std::size_t n = std::min<std::uint64_t>(count - copied, block.size() - front_);
          writer.raw(block.data() + front_, n * sizeof(R));
          copied += n;
          advance(n);
        }
      } else {
        do {
          // const: std::vector<bool> then gives a bool, not a reference proxy.
          encode(writer, std::as_const(blocks_.front())[front_]);
          advance(1);
          ++count;
        } while (count < left && batch.size() < batch_bytes);
      }
      std::memcpy(batch.data() + count_at, &count, sizeof(count));
      taken_in_run_ += count;
      if (taken_in_run_ == r.count) {
        ++next_run_;
        taken_in_run_ = 0;
      }
    }
    return next_run_ == runs_.size();
  }

 private:
  static constexpr std::size_t block_size =
      std::max<std::size_t>(1, (std::size_t{64} << 10U) / sizeof(R));

  struct run {
    std::uint64_t offset;
    std::uint64_t count;
  };

  /// Moves past `n` values of the front block, freeing it once all are sent.
  void advance(std::size_t n) {
    front_ += n;
    if (front_ == blocks_.front().size()) {
      blocks_.pop_front();
      front_ = 0;
    }
  }

  std::deque<std::vector<R>> blocks_;
  std::size_t front_ = 0;  // the next value to send in blocks_.front()
  std::vector<run> runs_;
  std::size_t next_run_ = 0;
  std::uint64_t taken_in_run_ = 0;
};

/// On the root: writes the results of one batch from pending_results::fill into `results`.
template <class R>
void take_results(std::span<const std::byte> batch, std::vector<R>& results) {
  byte_reader reader(batch);
  while (!reader.at_end()) {
    const auto offset = reader.pod<std::uint64_t>();
    const auto count = reader.pod<std::uint64_t>();
    if (offset > results.size() || count > results.size() - offset) {
      throw error("mpimr: map_to received results for positions " + std::to_string(offset) +
                  " and on, past the " + std::to_string(results.size()) + " of the range");
    }
    if constexpr (raw_results<R>) {
      reader.raw(results.data() + offset, static_cast<std::size_t>(count) * sizeof(R));
    } else if constexpr (std::is_same_v<R, bool>) {
      for (std::uint64_t i = 0; i < count; ++i) {
        bool value = false;
        decode(reader, value);
        results[offset + i] = value;
      }
    } else {
      for (std::uint64_t i = 0; i < count; ++i) decode(reader, results[offset + i]);
    }
  }
}

}  // namespace mpimr::detail
