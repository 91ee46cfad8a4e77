// map_reduce_by_key against serial std::map references, for every schedule, several round budgets
// (down to one record per round), index ranges and item lists; plus the distributed_map helpers.
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
#include <string>
#include <vector>

namespace {

using mpimr::index_range;
using mpimr::schedule;

std::string word(std::uint64_t i) {
  const std::uint64_t x = (i * 2654435761U) % 997;
  return std::string("w").append(std::to_string(x * x / 997));
}

std::map<std::string, std::uint64_t> serial_counts(std::uint64_t n) {
  std::map<std::string, std::uint64_t> counts;
  for (std::uint64_t i = 0; i < n; ++i) counts[word(i)] += 1;
  return counts;
}

template <class K, class V>
std::map<K, V> as_map(const std::vector<std::pair<K, V>>& entries) {
  return std::map<K, V>(entries.begin(), entries.end());
}

TEST(map_reduce_by_key_test, WordCountEqualsSerialCount) {
  mpimr::context ctx;
  const std::uint64_t n = 30000;
  const auto reference = serial_counts(n);
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    for (std::uint64_t round_bytes : {1ULL, 512ULL, 0ULL}) {
      const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
          ctx, index_range{0, n}, [](std::uint64_t i, const auto& emit) { emit(word(i), 1); },
          std::plus<>{}, {.schedule = s, .chunk_size = 97, .shuffle_buffer_bytes = round_bytes});
      EXPECT_EQ(counts.size(), reference.size());
      const auto all = counts.gather_sorted();
      EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
      EXPECT_EQ(as_map(all), reference) << to_string(s) << ", round bytes " << round_bytes;
      for (const auto& [key, value] : counts) EXPECT_EQ(reference.at(std::string(key)), value);
    }
  }
}

TEST(map_reduce_by_key_test, ItemListWithSeveralEmitsAndNumericKeys) {
  mpimr::context ctx;
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) lines.push_back(std::string(static_cast<std::size_t>(i % 13), 'x'));
  // Histogram of line lengths, and of lengths mod 3, in one pass: two emits per item.
  const auto histogram = mpimr::map_reduce_by_key<int, std::uint64_t>(
      ctx, std::span<const std::string>(lines),
      [](const std::string& line, const auto& emit) {
        emit(static_cast<int>(line.size()), 1);
        emit(-1 - static_cast<int>(line.size() % 3), 1);
      },
      std::plus<>{}, {.chunk_size = 7});
  std::map<int, std::uint64_t> reference;
  for (const auto& line : lines) {
    reference[static_cast<int>(line.size())] += 1;
    reference[-1 - static_cast<int>(line.size() % 3)] += 1;
  }
  EXPECT_EQ(as_map(histogram.gather_sorted()), reference);
}

TEST(map_reduce_by_key_test, EmptyInputGivesEmptyMap) {
  mpimr::context ctx;
  const auto none = mpimr::map_reduce_by_key<std::string, int>(
      ctx, index_range{4, 4}, [](std::uint64_t, const auto& emit) { emit("never", 1); },
      std::plus<>{});
  EXPECT_EQ(none.size(), 0U);
  EXPECT_TRUE(none.gather_sorted().empty());
  EXPECT_TRUE(none.top_k(3).empty());
}

TEST(map_reduce_by_key_test, TopKMatchesSerialSortWithTiesByKey) {
  mpimr::context ctx;
  const std::uint64_t n = 30000;
  const auto reference = serial_counts(n);
  std::vector<std::pair<std::string, std::uint64_t>> expected(reference.begin(), reference.end());
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
      ctx, index_range{0, n}, [](std::uint64_t i, const auto& emit) { emit(word(i), 1); },
      std::plus<>{});
  for (std::uint64_t k : {1ULL, 5ULL, 40ULL, 100000ULL}) {
    const auto top = counts.top_k(k);
    const auto want = std::vector(
        expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(
                                                 std::min<std::uint64_t>(k, expected.size())));
    EXPECT_EQ(top, want) << "k = " << k;
  }
}

TEST(map_reduce_by_key_test, SumOfValuesAndSortedFile) {
  mpimr::context ctx;
  const std::uint64_t n = 5000;
  const auto reference = serial_counts(n);
  const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
      ctx, index_range{0, n}, [](std::uint64_t i, const auto& emit) { emit(word(i), 1); },
      std::plus<>{});
  EXPECT_EQ(counts.reduce_values(0), n);
  EXPECT_EQ(counts.reduce_values(0, mpimr::maximum{}),
            std::max_element(reference.begin(), reference.end(), [](const auto& a, const auto& b) {
              return a.second < b.second;
            })->second);

  // Rank 0 names the file for everybody.
  std::string name = std::filesystem::temp_directory_path() / "mpimr-sorted-";
  if (ctx.rank() == 0) name.append(std::to_string(std::random_device{}()));
  name.resize(200, '\0');
  MPI_Bcast(name.data(), 200, MPI_CHAR, 0, MPI_COMM_WORLD);
  const std::filesystem::path path(name.c_str());
  auto format = [](std::string& out, const std::string& k, std::uint64_t v) {
    out.append(k).append("\t").append(std::to_string(v)).append("\n");
  };
  counts.write_sorted(path, format);
  std::string expected;
  for (const auto& [k, v] : reference) format(expected, k, v);
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, expected);
  MPI_Barrier(MPI_COMM_WORLD);
  if (ctx.rank() == 0) std::filesystem::remove(path);

  // An unwritable place fails on every rank and leaves nothing behind.
  const std::filesystem::path nowhere = path.string() + "-missing-folder/out.tsv";
  try {
    counts.write_sorted(nowhere, format);
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::error& e) {
    EXPECT_NE(std::string(e.what()).find(nowhere.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(nowhere));
}

TEST(map_reduce_by_key_test, MapperExceptionFailsEveryRank) {
  mpimr::context ctx;
  auto count_words = [&](std::uint64_t n, std::uint64_t bad) {
    return mpimr::map_reduce_by_key<std::string, int>(ctx, index_range{0, n},
                                                      [bad](std::uint64_t i, const auto& emit) {
                                                        if (i == bad)
                                                          throw std::runtime_error("bad record");
                                                        emit(word(i), 1);
                                                      },
                                                      std::plus<>{}, {.chunk_size = 10});
  };
  try {
    (void)count_words(100, 77);
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.chunk_id(), 7U);
    EXPECT_EQ(e.original_message(), "bad record");
  }
  // Nothing of the failed run is left over to disturb the next one.
  EXPECT_EQ(count_words(10, 1000).gather_sorted().size(), serial_counts(10).size());
}

}  // namespace
