// The result of a key-value map-reduce: each rank holds the keys it owns. Iterate the local part
// freely; the helpers that look at all keys are collective, and those that bring everything to one
// rank (gather to a root, write_sorted) pull it in bounded batches (see detail/ordered_merge.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "mpimr/atomic_file.hpp"
#include "mpimr/context.hpp"
#include "mpimr/detail/byte_transport.hpp"
#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/ordered_merge.hpp"
#include "mpimr/detail/table_selection.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/options.hpp"
#include "mpimr/reduce.hpp"

namespace mpimr {

/// Keeps a pointer to its context: use it while the context lives.
template <class K, class V>
class distributed_map {
 public:
  /// This rank's keys and values, in no particular order: a forward range of (key, value) pairs.
  /// For std::string keys with plain values (arithmetic, arrays of them, trivially copyable
  /// structs) the entries are packed into one byte array and iteration yields
  /// std::pair<std::string_view, V> by value; otherwise it is a std::vector<std::pair<K, V>>.
  using local_map = detail::entries_for<K, V>;

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

  /// Every (key, value) of every rank on `root` only, each rank's part in turn (rank order, then
  /// local order); the other ranks get an empty vector and never hold more than one batch of
  /// their own records. Throws mpimr::invalid_argument on every rank unless all pass the same
  /// root and it is a rank. Collective.
  [[nodiscard]] std::vector<std::pair<K, V>> gather(int root) const {
    return gather_to(root, false);
  }
  /// Every (key, value) of every rank, in rank order, on every rank: each rank holds the whole
  /// map. Collective.
  [[nodiscard]] std::vector<std::pair<K, V>> gather() const { return gather_everywhere(local_); }

  /// As gather(root), sorted by key: `root` merges the ranks' sorted parts. Collective.
  [[nodiscard]] std::vector<std::pair<K, V>> gather_sorted(int root) const {
    return gather_to(root, true);
  }
  /// Every (key, value) of every rank, sorted by key, on every rank: each rank holds the whole
  /// map. Collective.
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
  /// value)`, which appends one record to `out` and runs on the rank that owns the key. Rank 0
  /// writes the file as a merge of the ranks' sorted parts, pulled in batches of about
  /// `batch_bytes` of records, so no rank holds the whole map. The file appears whole or not at
  /// all; on any failure (the file, or `format` on any rank) every rank throws mpimr::error
  /// naming the file. Collective.
  template <class Format>
  void write_sorted(const std::filesystem::path& path, Format format,
                    std::uint64_t batch_bytes = detail::default_batch_bytes) const {
    // Each record travels formatted, next to its key for the merge.
    detail::local_records records(
        local_, true, batch_bytes,
        [&format, text = std::string(), key_copy = K()](detail::byte_writer& w, const auto& key,
                                                        const V& value) mutable {
          text.clear();
          format(text, as_key(key, key_copy), value);
          detail::encode(w, key);
          detail::encode(w, text);
        });
    const auto outcome =
        detail::pull_to_root(ctx_->communicator(), 0, records, [&](detail::batch_streams& streams) {
          atomic_file file(path);
          std::string out;
          detail::merge_sorted_streams<K, std::string>(streams, [&](K&&, std::string&& text) {
            out.append(text);
            if (out.size() >= batch_bytes) {
              file.write(out);
              out.clear();
            }
          });
          file.write(out);
          file.commit();
        });
    throw_write_failure(path, outcome);
  }

  /// The k entries with the largest values (ties broken by the smaller key), on every rank. Each
  /// rank sends only its own top k. Collective.
  [[nodiscard]] std::vector<std::pair<K, V>> top_k(std::uint64_t k) const {
    auto better = [](const auto& a, const auto& b) {
      return b.second < a.second || (!(a.second < b.second) && a.first < b.first);
    };
    // This rank's best k are chosen among positions, so only they are copied out as pairs.
    using position = typename local_map::const_iterator;
    std::vector<position> order;
    order.reserve(local_.size());
    for (auto it = local_.begin(); it != local_.end(); ++it) order.push_back(it);
    const auto keep = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(k, order.size()));
    std::partial_sort(order.begin(), order.begin() + keep, order.end(),
                      [&](const position& a, const position& b) { return better(*a, *b); });
    std::vector<std::pair<K, V>> mine;
    mine.reserve(static_cast<std::size_t>(keep));
    for (auto it = order.begin(); it != order.begin() + keep; ++it) {
      const auto& [key, value] = **it;
      mine.emplace_back(K(key), value);
    }
    auto all = gather_everywhere(mine);
    keep_best(all, k, better);
    return all;
  }

 private:
  using byte_buffer = detail::byte_buffer;

  /// `key` as a const K&: itself, or (for a view of a packed key) copied into `copy`.
  template <class Key>
  static const K& as_key(const Key& key, K& copy) {
    if constexpr (std::is_same_v<Key, K>) {
      return key;
    } else {
      copy.assign(key);
      return copy;
    }
  }

  [[nodiscard]] std::vector<std::pair<K, V>> gather_to(int root, bool sorted) const {
    detail::agree_on_root(ctx_->communicator(), root, sorted ? "gather_sorted" : "gather");
    detail::local_records records(local_, sorted, detail::default_batch_bytes,
                                  [](detail::byte_writer& w, const auto& key, const V& value) {
                                    detail::encode(w, key);
                                    detail::encode(w, value);
                                  });
    std::vector<std::pair<K, V>> all;
    auto keep = [&](K&& key, V&& value) { all.emplace_back(std::move(key), std::move(value)); };
    const auto outcome = detail::pull_to_root(ctx_->communicator(), root, records,
                                              [&](detail::batch_streams& streams) {
                                                if (sorted) {
                                                  detail::merge_sorted_streams<K, V>(streams, keep);
                                                } else {
                                                  detail::concatenate_streams<K, V>(streams, keep);
                                                }
                                              });
    if (outcome.what != detail::pull_outcome::kind::ok) {
      throw task_error(outcome.rank, task_error::no_chunk, outcome.message);
    }
    return all;
  }

  static void throw_write_failure(const std::filesystem::path& path,
                                  const detail::pull_outcome& outcome) {
    using kind = detail::pull_outcome::kind;
    if (outcome.what == kind::ok) return;
    const std::string name = "'" + path.string() + "'";
    if (outcome.what == kind::producer_failed) {
      throw error("cannot write " + name + ": format failed on rank " +
                  std::to_string(outcome.rank) + ": " + outcome.message);
    }
    // atomic_file's messages name the file already; anything else on rank 0 gets it added.
    if (outcome.message.find(name) != std::string::npos) throw error(outcome.message);
    throw error("cannot write " + name + ": " + outcome.message);
  }

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
