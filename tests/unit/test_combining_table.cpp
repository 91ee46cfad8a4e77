// The combiner of the key-value shuffle against a plain std::map reference: every key is combined
// exactly once, drained exactly once to the rank that owns it, and drains respect their byte
// budget.
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

TEST(combining_table_test, DrainsEveryKeyOnceToItsOwnerWithinBudget) {
  const auto words = random_words(5000, 11);
  std::map<std::string, std::uint64_t> reference;
  for (const auto& w : words) reference[w] += w.size();
  for (int ranks : {1, 2, 3, 5}) {
    for (std::uint64_t budget : {1ULL, 40ULL, 1000ULL, 1ULL << 40U}) {
      combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
      for (const auto& w : words) table.emit(w, w.size());
      std::map<std::string, std::uint64_t> drained;
      int rounds = 0;
      while (!table.empty()) {
        const auto buffers = table.drain_by_owner(ranks, budget);
        ++rounds;
        ASSERT_EQ(buffers.size(), static_cast<std::size_t>(ranks));
        std::uint64_t total = 0;
        std::uint64_t largest_record = 0;
        for (int dest = 0; dest < ranks; ++dest) {
          total += buffers[static_cast<std::size_t>(dest)].size();
          for_each_record<std::string, std::uint64_t>(
              buffers[static_cast<std::size_t>(dest)], [&](std::string&& k, std::uint64_t&& v) {
                EXPECT_EQ(owner_rank(stable_key_hash(k), ranks), dest);
                EXPECT_EQ(drained.count(k), 0U) << k << " drained twice";
                // 8-byte length + bytes + 8-byte value
                largest_record = std::max<std::uint64_t>(largest_record, 16 + k.size());
                drained[k] = v;
              });
        }
        EXPECT_LT(total, budget + largest_record + 1) << "budget " << budget;
        ASSERT_LT(rounds, 100000) << "no progress";
      }
      EXPECT_EQ(drained, reference) << ranks << " ranks, budget " << budget;
      if (budget == 1) {
        EXPECT_EQ(static_cast<std::size_t>(rounds), reference.size());
      }
    }
  }
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
  for (const auto& buffer : table.drain_by_owner(2, UINT64_MAX)) {
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
  while (!table.empty()) static_cast<void>(table.drain_by_owner(3, 100));
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
  const auto buffers = table.drain_by_owner(ranks, UINT64_MAX, owner_of, self,
                                            [&](std::string&& k, std::uint64_t&& v) {
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
