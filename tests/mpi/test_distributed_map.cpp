// distributed_map's helpers against serial std::map references: gather to each root and to every
// rank, sorted order, and write_sorted's file (batch sizes down to one record, empty maps, ranks
// holding nothing), plus its failures: an unwritable path and a format that throws on one rank.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mpimr/mpimr.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using mpimr::index_range;

std::string word(std::uint64_t i) {
  const std::uint64_t x = (i * 2654435761U) % 997;
  return std::string("w").append(std::to_string(x * x / 997));
}

// Keys of both signs, so that the integer order differs from the order of their bytes.
std::int64_t number(std::uint64_t i, std::uint64_t distinct) {
  return static_cast<std::int64_t>((i * 7919U) % distinct) -
         static_cast<std::int64_t>(distinct / 2);
}

using word_map = mpimr::distributed_map<std::string, std::uint64_t>;
using number_map = mpimr::distributed_map<std::int64_t, std::uint64_t>;

word_map count_words(mpimr::context& ctx, std::uint64_t n) {
  return mpimr::map_reduce_by_key<std::string, std::uint64_t>(
      ctx, index_range{0, n}, [](std::uint64_t i, const auto& emit) { emit(word(i), 1); },
      std::plus<>{});
}

std::map<std::string, std::uint64_t> serial_words(std::uint64_t n) {
  std::map<std::string, std::uint64_t> counts;
  for (std::uint64_t i = 0; i < n; ++i) counts[word(i)] += 1;
  return counts;
}

// Sums of the indices that map to each key.
number_map sum_numbers(mpimr::context& ctx, std::uint64_t n, std::uint64_t distinct) {
  return mpimr::map_reduce_by_key<std::int64_t, std::uint64_t>(
      ctx, index_range{0, n},
      [distinct](std::uint64_t i, const auto& emit) { emit(number(i, distinct), i); },
      std::plus<>{});
}

std::map<std::int64_t, std::uint64_t> serial_numbers(std::uint64_t n, std::uint64_t distinct) {
  std::map<std::int64_t, std::uint64_t> sums;
  for (std::uint64_t i = 0; i < n; ++i) sums[number(i, distinct)] += i;
  return sums;
}

template <class K, class V>
std::vector<std::pair<K, V>> as_vector(const std::map<K, V>& m) {
  return {m.begin(), m.end()};
}

template <class K, class V>
std::map<K, V> as_map(const std::vector<std::pair<K, V>>& entries) {
  return {entries.begin(), entries.end()};
}

// One fresh name, chosen by rank 0, for all ranks.
std::filesystem::path shared_temp_path(const std::string& stem) {
  std::string name = std::filesystem::temp_directory_path() / ("mpimr-" + stem + "-");
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) name.append(std::to_string(std::random_device{}()));
  name.resize(256, '\0');
  MPI_Bcast(name.data(), 256, MPI_CHAR, 0, MPI_COMM_WORLD);
  return {name.c_str()};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Files beside `path` whose names start with its name: the file itself or a temporary left over.
std::vector<std::string> leftovers(const std::filesystem::path& path) {
  std::vector<std::string> found;
  const auto stem = path.filename().string();
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
    const auto name = entry.path().filename().string();
    if (name.compare(0, stem.size(), stem) == 0) found.push_back(name);
  }
  return found;
}

template <class K, class V>
void append_record(std::string& out, const K& key, const V& value) {
  if constexpr (std::is_same_v<K, std::string>) {
    out.append(key);
  } else {
    out.append(std::to_string(key));
  }
  out.append("\t").append(std::to_string(value)).append("\n");
}

template <class K, class V>
std::string serial_file(const std::map<K, V>& reference) {
  std::string text;
  for (const auto& [key, value] : reference) append_record(text, key, value);
  return text;
}

template <class K, class V>
void expect_gathers_equal(const mpimr::context& ctx, const mpimr::distributed_map<K, V>& map,
                          const std::map<K, V>& reference, bool every_root = true) {
  const auto sorted = as_vector(reference);
  for (int root = 0; root < ctx.size(); ++root) {
    if (!every_root && root != 0 && root != ctx.size() - 1) continue;
    const auto any_order = map.gather(root);
    const auto in_order = map.gather_sorted(root);
    if (ctx.rank() == root) {
      EXPECT_EQ(any_order.size(), reference.size()) << "root " << root;
      EXPECT_EQ(as_map(any_order), reference) << "root " << root;
      EXPECT_EQ(in_order, sorted) << "root " << root;
    } else {
      EXPECT_TRUE(any_order.empty()) << "root " << root;
      EXPECT_TRUE(in_order.empty()) << "root " << root;
    }
  }
  EXPECT_EQ(map.gather_sorted(), sorted);
  const auto everywhere = map.gather();
  EXPECT_EQ(as_map(everywhere), reference);
}

TEST(distributed_map_test, GatherToEachRootAndEverywhereEqualsSerial) {
  mpimr::context ctx;
  expect_gathers_equal(ctx, count_words(ctx, 30000), serial_words(30000));
  expect_gathers_equal(ctx, sum_numbers(ctx, 5000, 301), serial_numbers(5000, 301));
  // About 3 MiB of records: several default-sized batches per rank.
  expect_gathers_equal(ctx, sum_numbers(ctx, 200000, 200000), serial_numbers(200000, 200000),
                       false);
  // One key: every rank but its owner holds nothing.
  expect_gathers_equal(ctx, sum_numbers(ctx, 10, 1), serial_numbers(10, 1));
  expect_gathers_equal(ctx, count_words(ctx, 0), serial_words(0));
}

TEST(distributed_map_test, BadRootThrowsInvalidArgumentOnEveryRank) {
  mpimr::context ctx;
  const auto counts = count_words(ctx, 1000);
  std::vector<int> bad_roots{-1, ctx.size(), 1 << 30};
  // Roots that differ between ranks, each valid on its own.
  if (ctx.size() > 1) bad_roots.push_back(ctx.rank() == ctx.size() - 1 ? 1 : 0);
  for (int root : bad_roots) {
    EXPECT_THROW((void)counts.gather(root), mpimr::invalid_argument) << "root " << root;
    EXPECT_THROW((void)counts.gather_sorted(root), mpimr::invalid_argument) << "root " << root;
  }
  // Nothing of the refused calls is left over to disturb the next one.
  const auto all = counts.gather_sorted(0);
  if (ctx.rank() == 0) {
    EXPECT_EQ(all, as_vector(serial_words(1000)));
  }
}

template <class K, class V>
void expect_file_equals_serial(const mpimr::distributed_map<K, V>& map,
                               const std::map<K, V>& reference, const std::string& stem) {
  const auto path = shared_temp_path(stem);
  const std::string expected = serial_file(reference);
  for (std::uint64_t batch : {0ULL, 1ULL, 7ULL, 100ULL, 4096ULL, 1ULL << 20U}) {
    map.write_sorted(path, append_record<K, V>, batch);
    EXPECT_EQ(read_file(path), expected) << stem << ", batch bytes " << batch;
    MPI_Barrier(MPI_COMM_WORLD);  // everybody has read it before rank 0 writes it again
  }
  map.write_sorted(path, append_record<K, V>);
  EXPECT_EQ(read_file(path), expected) << stem << ", default batch bytes";
  EXPECT_EQ(leftovers(path), std::vector<std::string>{path.filename().string()});
  MPI_Barrier(MPI_COMM_WORLD);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) std::filesystem::remove(path);
}

TEST(distributed_map_test, WriteSortedEqualsSerialForAnyBatchSize) {
  mpimr::context ctx;
  expect_file_equals_serial(count_words(ctx, 30000), serial_words(30000), "words");
  expect_file_equals_serial(sum_numbers(ctx, 20000, 1999), serial_numbers(20000, 1999), "numbers");
  // An empty map writes an empty file; with one or three keys some ranks hold nothing.
  expect_file_equals_serial(count_words(ctx, 0), serial_words(0), "empty");
  expect_file_equals_serial(sum_numbers(ctx, 10, 1), serial_numbers(10, 1), "one-key");
  expect_file_equals_serial(sum_numbers(ctx, 10, 3), serial_numbers(10, 3), "three-keys");
}

TEST(distributed_map_test, UnwritablePathFailsOnEveryRankAndLeavesNothing) {
  mpimr::context ctx;
  const auto counts = count_words(ctx, 3000);
  const auto base = shared_temp_path("unwritable");
  const auto missing_folder = base / "out.tsv";
  // A directory where the file should go: everything is written, and the final rename fails.
  const auto folder = std::filesystem::path(base.string() + "-folder");
  if (ctx.rank() == 0) std::filesystem::create_directory(folder);
  MPI_Barrier(MPI_COMM_WORLD);
  for (const auto& path : {missing_folder, folder}) {
    try {
      counts.write_sorted(path, append_record<std::string, std::uint64_t>, 64);
      ADD_FAILURE() << "no exception for " << path;
    } catch (const mpimr::error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + path.string() + "'"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(missing_folder));
  EXPECT_TRUE(std::filesystem::is_directory(folder));
  EXPECT_EQ(leftovers(folder), std::vector<std::string>{folder.filename().string()});
  MPI_Barrier(MPI_COMM_WORLD);
  if (ctx.rank() == 0) std::filesystem::remove(folder);
}

TEST(distributed_map_test, FormatThrowingOnOneRankFailsEveryRankAndKeepsOldFile) {
  mpimr::context ctx;
  const std::uint64_t n = 30000;
  const auto counts = count_words(ctx, n);
  const auto path = shared_temp_path("format-fails");
  const std::string old_contents = "written before\n";
  if (ctx.rank() == 0) std::ofstream(path, std::ios::binary) << old_contents;
  MPI_Barrier(MPI_COMM_WORLD);
  // Each rank fails in turn (rank 1 at two ranks or more, rank 0 as the writer in the middle of
  // its merge): at once, or after some batches have gone out while the other ranks wait to send.
  for (int bad = 0; bad < ctx.size(); ++bad) {
    for (std::uint64_t fail_at : {1ULL, 3ULL, 40ULL}) {
      std::uint64_t calls = 0;
      auto format = [&](std::string& out, const std::string& key, std::uint64_t value) {
        if (ctx.rank() == bad && ++calls == fail_at) throw std::runtime_error("no format today");
        append_record(out, key, value);
      };
      try {
        counts.write_sorted(path, format, 16);
        ADD_FAILURE() << "no exception, bad rank " << bad << ", failing call " << fail_at;
      } catch (const mpimr::error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("'" + path.string() + "'"), std::string::npos) << what;
        EXPECT_NE(what.find("rank " + std::to_string(bad)), std::string::npos) << what;
        EXPECT_NE(what.find("no format today"), std::string::npos) << what;
      }
      EXPECT_EQ(read_file(path), old_contents) << "bad rank " << bad << ", call " << fail_at;
    }
  }
  EXPECT_EQ(leftovers(path), std::vector<std::string>{path.filename().string()});
  // Nothing of the failed writes is left over to disturb the next one.
  MPI_Barrier(MPI_COMM_WORLD);
  counts.write_sorted(path, append_record<std::string, std::uint64_t>, 16);
  EXPECT_EQ(read_file(path), serial_file(serial_words(n)));
  MPI_Barrier(MPI_COMM_WORLD);
  if (ctx.rank() == 0) std::filesystem::remove(path);
}

}  // namespace
