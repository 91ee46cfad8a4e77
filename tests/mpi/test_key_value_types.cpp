// map_reduce_by_key with every kind of key and value the issue names: fixed-size arrays, padding-
// free aggregates, Boost-serialized pairs, floating-point keys (where -0.0 and 0.0 are one key),
// and vector, string and floating-point values with user combines; each against a serial std::map,
// with a budget small enough for many batches and with the default.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <mpimr/mpimr.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

using mpimr::index_range;

struct cell {
  std::int32_t x;
  std::int32_t y;
  auto operator<=>(const cell&) const = default;
};
static_assert(std::has_unique_object_representations_v<cell>);

// Every rank's entries, on every rank, as one std::map.
template <class K, class V>
std::map<K, V> everything(const mpimr::distributed_map<K, V>& result) {
  const auto all = result.gather_sorted();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));
  return {all.begin(), all.end()};
}

constexpr std::uint64_t items = 6000;
constexpr std::array<std::uint64_t, 2> budgets{300, 0};

TEST(key_value_types_test, ArrayKeysWithFloatingPointSums) {
  mpimr::context ctx;
  using key = std::array<std::uint16_t, 3>;
  auto key_of = [](std::uint64_t i) {
    return key{static_cast<std::uint16_t>(i % 7), static_cast<std::uint16_t>(i % 11), 42};
  };
  // Multiples of 0.5 add up exactly in any order, so the sums can be compared with ==.
  std::map<key, double> reference;
  for (std::uint64_t i = 0; i < items; ++i) reference[key_of(i)] += 0.5 * static_cast<double>(i);
  for (const auto budget : budgets) {
    const auto sums = mpimr::map_reduce_by_key<key, double>(
        ctx, index_range{0, items},
        [&](std::uint64_t i, const auto& emit) { emit(key_of(i), 0.5 * static_cast<double>(i)); },
        std::plus<>{}, {.shuffle_buffer_bytes = budget});
    EXPECT_EQ(everything(sums), reference) << "budget " << budget;
  }
}

TEST(key_value_types_test, AggregateKeysWithVectorValues) {
  mpimr::context ctx;
  auto key_of = [](std::uint64_t i) {
    return cell{static_cast<std::int32_t>(i % 13) - 6, -static_cast<std::int32_t>(i % 5)};
  };
  // The combine merges sorted lists: associative and commutative.
  auto merge = [](std::vector<std::uint32_t> a, const std::vector<std::uint32_t>& b) {
    std::vector<std::uint32_t> out;
    std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  };
  std::map<cell, std::vector<std::uint32_t>> reference;
  for (std::uint64_t i = 0; i < items; ++i)
    reference[key_of(i)].push_back(static_cast<std::uint32_t>(i));
  for (const auto budget : budgets) {
    const auto lists = mpimr::map_reduce_by_key<cell, std::vector<std::uint32_t>>(
        ctx, index_range{0, items},
        [&](std::uint64_t i, const auto& emit) {
          emit(key_of(i), std::vector<std::uint32_t>{static_cast<std::uint32_t>(i)});
        },
        merge, {.schedule = mpimr::schedule::dynamic, .shuffle_buffer_bytes = budget});
    EXPECT_EQ(everything(lists), reference) << "budget " << budget;
  }
}

TEST(key_value_types_test, SerializedPairKeysWithStringValues) {
  mpimr::context ctx;
  using key = std::pair<std::string, std::int32_t>;
  auto key_of = [](std::uint64_t i) {
    return key{std::string(static_cast<std::size_t>(i % 4), 'a').append("k"),
               static_cast<std::int32_t>(i % 9)};
  };
  auto value_of = [](std::uint64_t i) { return std::to_string(i * 7919 % 100003); };
  // The lexicographically greatest string: associative and commutative.
  auto greatest = [](std::string a, std::string b) { return std::max(std::move(a), std::move(b)); };
  std::map<key, std::string> reference;
  for (std::uint64_t i = 0; i < items; ++i) {
    auto [slot, inserted] = reference.try_emplace(key_of(i), value_of(i));
    if (!inserted) slot->second = std::max(slot->second, value_of(i));
  }
  for (const auto budget : budgets) {
    const auto best = mpimr::map_reduce_by_key<key, std::string>(
        ctx, index_range{0, items},
        [&](std::uint64_t i, const auto& emit) { emit(key_of(i), value_of(i)); }, greatest,
        {.shuffle_buffer_bytes = budget});
    EXPECT_EQ(everything(best), reference) << "budget " << budget;
  }
}

TEST(key_value_types_test, NegativeZeroAndZeroAreOneKey) {
  mpimr::context ctx;
  // Half the indices emit -0.0, half 0.0, the rest i % 3 as a double: keys {0, 1, 2}.
  const auto counts =
      mpimr::map_reduce_by_key<double, std::uint64_t>(ctx, index_range{0, 999},
                                                      [](std::uint64_t i, const auto& emit) {
                                                        const double k = static_cast<double>(i % 3);
                                                        emit(i % 2 == 0 ? -k : k, 1);
                                                      },
                                                      std::plus<>{}, {.shuffle_buffer_bytes = 64});
  EXPECT_EQ(everything(counts), (std::map<double, std::uint64_t>{
                                    {0.0, 333}, {1.0, 167}, {-1.0, 166}, {2.0, 166}, {-2.0, 167}}));
}

}  // namespace
