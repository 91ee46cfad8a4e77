// The combiner of the key-value shuffle against a plain std::map reference: every key is combined
// exactly once and drained exactly once to the rank that owns it; its memory estimate follows the
// keys and values it holds.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mpimr/detail/combining_table.hpp>
#include <random>
#include <string>
#include <vector>

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::combining_table;
using mpimr::detail::for_each_record;
using mpimr::detail::owner_rank;
using mpimr::detail::stable_key_hash;

std::vector<std::string> random_words(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(1, 12);
  std::uniform_int_distribution<int> letter(0, 5);  // few letters: many repeated words
  std::vector<std::string> words;
  for (std::size_t i = 0; i < count; ++i) {
    std::string w;
    for (int n = length(rng) % 4 + 1; n > 0; --n) w.push_back(static_cast<char>('a' + letter(rng)));
    words.push_back(w);
  }
  return words;
}

TEST(combining_table_test, CombinesLikeASerialMap) {
  const auto words = random_words(20000, 7);
  combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
  std::map<std::string, std::uint64_t> reference;
  for (const auto& w : words) {
    table.emit(w, 1);
    reference[w] += 1;
  }
  EXPECT_EQ(table.size(), reference.size());
  std::map<std::string, std::uint64_t> seen;
  table.for_each([&](const std::string& k, std::uint64_t v) { seen[k] = v; });
  EXPECT_EQ(seen, reference);
}

TEST(combining_table_test, DrainsEveryKeyOnceToItsOwnerAndCanBeRefilled) {
  const auto words = random_words(5000, 11);
  std::map<std::string, std::uint64_t> reference;
  for (const auto& w : words) reference[w] += w.size();
  for (int ranks : {1, 2, 3, 5}) {
    combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
    // Twice: the second fill reuses the storage the first drain kept.
    for (int fill = 0; fill < 2; ++fill) {
      for (const auto& w : words) table.emit(w, w.size());
      EXPECT_EQ(table.size(), reference.size());
      const auto buffers = table.drain_by_owner(ranks);
      EXPECT_TRUE(table.empty());
      EXPECT_EQ(table.bytes(), 0U);
      ASSERT_EQ(buffers.size(), static_cast<std::size_t>(ranks));
      std::map<std::string, std::uint64_t> drained;
      for (int dest = 0; dest < ranks; ++dest) {
        for_each_record<std::string, std::uint64_t>(
            buffers[static_cast<std::size_t>(dest)], [&](std::string&& k, std::uint64_t&& v) {
              EXPECT_EQ(owner_rank(stable_key_hash(k), ranks), dest);
              EXPECT_EQ(drained.count(k), 0U) << k << " drained twice";
              drained[k] = v;
            });
      }
      EXPECT_EQ(drained, reference) << ranks << " ranks, fill " << fill;
    }
  }
}

TEST(combining_table_test, ManyDistinctKeysOfEveryLength) {
  // Enough keys for the index to grow many times; keys long enough to live on the heap too.
  combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
  std::map<std::string, std::uint64_t> reference;
  for (std::uint64_t i = 0; i < 200000; ++i) {
    const std::string key = std::string(i % 40, 'x').append(std::to_string(i % 70001));
    table.emit(key, i);
    reference[key] += i;
  }
  std::map<std::string, std::uint64_t> seen;
  table.for_each([&](const std::string& k, std::uint64_t v) { seen[k] = v; });
  EXPECT_EQ(seen, reference);
  const auto entries = table.take_entries();
  EXPECT_EQ(entries.size(), reference.size());
  EXPECT_TRUE(table.empty());
}

TEST(combining_table_test, OwnedKeysAreMovedIn) {
  combining_table<std::string, int, std::plus<>> table{std::plus<>{}};
  std::string long_key(100, 'k');
  const char* storage = long_key.data();
  table.emit_owned(std::move(long_key), 1);
  table.emit(std::string(100, 'k'), 2);
  const auto entries = table.take_entries();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].first.data(), storage);  // the very string handed in, not a copy
  EXPECT_EQ(entries[0].second, 3);
}

TEST(combining_table_test, NonArithmeticValuesAndUserCombine) {
  // Values are lists of positions; combining concatenates them (associative and, as a set,
  // commutative).
  combining_table<std::string, std::vector<std::uint32_t>,
                  std::function<std::vector<std::uint32_t>(std::vector<std::uint32_t>,
                                                           std::vector<std::uint32_t>)>>
      table{[](std::vector<std::uint32_t> a, std::vector<std::uint32_t> b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
      }};
  const auto words = random_words(300, 3);
  std::map<std::string, std::vector<std::uint32_t>> reference;
  for (std::uint32_t i = 0; i < words.size(); ++i) {
    table.emit(words[i], {i});
    reference[words[i]].push_back(i);
  }
  std::map<std::string, std::vector<std::uint32_t>> drained;
  for (const auto& buffer : table.drain_by_owner(2)) {
    for_each_record<std::string, std::vector<std::uint32_t>>(
        buffer,
        [&](std::string&& k, std::vector<std::uint32_t>&& v) { drained[k] = std::move(v); });
  }
  EXPECT_EQ(drained, reference);  // emitted in order, so each list is in order too
}

}  // namespace

namespace {

TEST(combining_table_test, ByteEstimateGrowsWithDistinctKeysAndLongStrings) {
  combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
  EXPECT_EQ(table.bytes(), 0U);
  table.emit("short", 1);
  const std::uint64_t one_entry = table.bytes();
  // At least the pair itself; a short string lives inside it.
  EXPECT_GE(one_entry, sizeof(std::pair<const std::string, std::uint64_t>));
  table.emit("short", 1);  // combined: no new entry
  EXPECT_EQ(table.bytes(), one_entry);
  const std::string long_key(1000, 'x');
  table.emit(long_key, 1);
  EXPECT_GE(table.bytes(), 2 * one_entry + 1000);
  for (int i = 0; i < 1000; ++i) table.emit(std::string("k").append(std::to_string(i)), 1);
  EXPECT_GE(table.bytes(), 1002 * one_entry + 1000);
  static_cast<void>(table.drain_by_owner(3));
  EXPECT_EQ(table.bytes(), 0U);
}

TEST(combining_table_test, ByteEstimateFollowsGrowingValues) {
  using list = std::vector<std::uint64_t>;
  auto append = [](list a, const list& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  combining_table<int, list, decltype(append)> table{append};
  table.emit(1, {1});
  const std::uint64_t before = table.bytes();
  for (std::uint64_t i = 0; i < 10000; ++i) table.emit(1, {i});
  EXPECT_GE(table.bytes(), before + 10000 * sizeof(std::uint64_t));
}

TEST(combining_table_test, DrainKeepsOwnEntriesUnencodedAndUsesTheGivenOwners) {
  const auto words = random_words(3000, 5);
  std::map<std::string, std::uint64_t> reference;
  for (const auto& w : words) reference[w] += 1;
  combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
  for (const auto& w : words) table.emit(w, 1);
  const int ranks = 3;
  const int self = 1;
  auto owner_of = [](const std::string& key) { return static_cast<int>(key.size() % 3); };
  std::map<std::string, std::uint64_t> kept;
  std::map<std::string, std::uint64_t> sent;
  const auto buffers =
      table.drain_by_owner(ranks, owner_of, self, [&](std::string&& k, std::uint64_t&& v) {
        EXPECT_EQ(owner_of(k), self) << k;
        kept[k] = v;
      });
  EXPECT_TRUE(table.empty());
  EXPECT_TRUE(buffers[self].empty());
  for (int dest = 0; dest < ranks; ++dest) {
    for_each_record<std::string, std::uint64_t>(buffers[static_cast<std::size_t>(dest)],
                                                [&](std::string&& k, std::uint64_t&& v) {
                                                  EXPECT_EQ(owner_of(k), dest) << k;
                                                  sent[k] = v;
                                                });
  }
  EXPECT_FALSE(kept.empty());
  sent.insert(kept.begin(), kept.end());
  EXPECT_EQ(sent, reference);
}

}  // namespace
