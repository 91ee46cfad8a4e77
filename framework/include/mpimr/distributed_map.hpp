// The result of a key-value map-reduce: each rank holds the keys it owns. Iterate the local part
// freely; the helpers that look at all keys are collective.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mpimr/context.hpp"
#include "mpimr/detail/atomic_file.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/combining_table.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"
#include "mpimr/reduce.hpp"

namespace mpimr {

/// Keeps a pointer to its context: use it while the context lives.
template <class K, class V>
class distributed_map {
 public:
  using local_map = std::unordered_map<K, V, detail::stable_hasher<K>>;

  distributed_map(context& ctx, local_map local) : ctx_(&ctx), local_(std::move(local)) {}

  /// The keys this rank owns, with their combined values.
  [[nodiscard]] const local_map& local() const noexcept { return local_; }
  [[nodiscard]] auto begin() const noexcept { return local_.begin(); }
  [[nodiscard]] auto end() const noexcept { return local_.end(); }
  [[nodiscard]] std::uint64_t local_size() const noexcept { return local_.size(); }

  /// Number of distinct keys over all ranks. Collective.
  [[nodiscard]] std::uint64_t size() const {
    std::uint64_t total = local_.size();
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_UINT64_T, MPI_SUM, ctx_->communicator());
    return total;
  }

  /// Every (key, value) of every rank, sorted by key, on every rank. Collective.
  [[nodiscard]] std::vector<std::pair<K, V>> gather_sorted() const {
    auto all = gather_everywhere(local_);
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return all;
  }

  /// Joins every value of every rank (std::plus<> sums them), on every rank. Collective.
  template <class Join = std::plus<>>
  [[nodiscard]] V reduce_values(V identity, Join join = {}) const {
    // One chunk per rank, and rank r runs chunk r under static blocks: each folds its own part.
    const auto ranks = static_cast<std::uint64_t>(ctx_->size());
    return mpimr::reduce(*ctx_, index_range{0, ranks}, identity,
                         [&](const chunk&) {
                           V acc = identity;
                           for (const auto& entry : local_)
                             acc = join(std::move(acc), entry.second);
                           return acc;
                         },
                         join, {.schedule = schedule::static_blocks, .chunk_size = 1});
  }

  /// Writes every entry sorted by key into one file, through `format(std::string& out, key,
  /// value)`, which appends one record to `out`. Rank 0 writes; the file appears whole or not at
  /// all. Throws mpimr::error naming the file on every rank if the write failed. Collective.
  template <class Format>
  void write_sorted(const std::filesystem::path& path, Format format) const {
    const auto all = gather_sorted();
    std::string failure;
    if (ctx_->rank() == 0) {
      try {
        detail::atomic_file file(path);
        std::string buffer;
        for (const auto& [key, value] : all) {
          format(buffer, key, value);
          if (buffer.size() >= (std::size_t{1} << 20U)) {
            file.write(buffer);
            buffer.clear();
          }
        }
        file.write(buffer);
        file.commit();
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
    byte_buffer report = detail::to_bytes(failure);
    detail::bcast_bytes(ctx_->communicator(), 0, report);
    failure = detail::from_bytes<std::string>(report);
    if (!failure.empty()) throw error(failure);
  }

  /// The k entries with the largest values (ties broken by the smaller key), on every rank. Each
  /// rank sends only its own top k. Collective.
  [[nodiscard]] std::vector<std::pair<K, V>> top_k(std::uint64_t k) const {
    auto better = [](const std::pair<K, V>& a, const std::pair<K, V>& b) {
      return b.second < a.second || (!(a.second < b.second) && a.first < b.first);
    };
    std::vector<std::pair<K, V>> mine(local_.begin(), local_.end());
    keep_best(mine, k, better);
    auto all = gather_everywhere(mine);
    keep_best(all, k, better);
    return all;
  }

 private:
  using byte_buffer = detail::byte_buffer;

  template <class Better>
  static void keep_best(std::vector<std::pair<K, V>>& entries, std::uint64_t k, Better better) {
    const auto keep = static_cast<std::size_t>(std::min<std::uint64_t>(k, entries.size()));
    std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(keep),
                      entries.end(), better);
    entries.resize(keep);
  }

  /// Every rank's `entries` (any range of key-value pairs), concatenated in rank order, on every
  /// rank.
  template <class Entries>
  [[nodiscard]] std::vector<std::pair<K, V>> gather_everywhere(const Entries& entries) const {
    byte_buffer encoded;
    detail::byte_writer writer(encoded);
    for (const auto& [key, value] : entries) {
      detail::encode(writer, key);
      detail::encode(writer, value);
    }
    std::vector<std::pair<K, V>> all;
    for (const auto& from : detail::allgather_bytes(ctx_->communicator(), std::move(encoded))) {
      detail::for_each_record<K, V>(
          from, [&](K&& key, V&& value) { all.emplace_back(std::move(key), std::move(value)); });
    }
    return all;
  }

  context* ctx_;
  local_map local_;
};

}  // namespace mpimr
