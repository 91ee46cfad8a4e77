// Unit tests of the deterministic reduction tree: whatever the insertion order, the split of chunks
// into "ranks", the encode/decode round trips and the merge order, the root is the fixed tree over
// chunk ids, checked against a plain recursive evaluation of the documented tree definition.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mpimr/detail/codec.hpp"
#include "mpimr/detail/ordered_partials.hpp"

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::byte_reader;
using mpimr::detail::byte_writer;
using mpimr::detail::ordered_partials;

// --- reference: the tree exactly as documented -------------------------------------------------

// Smallest level whose single node spans every chunk (2^level >= n).
unsigned reference_root_level(std::uint64_t n) {
  unsigned level = 0;
  while (level < 64 && (std::uint64_t{1} << level) < n) ++level;
  return level;
}

// Node (l, i) = join(left child, right child), or the left child alone when the right child would
// start at or past chunk n. Leaves, and any node present in `given`, take their value from there.
template <class T, class Join>
T reference_node(unsigned level, std::uint64_t index, std::uint64_t n,
                 const std::map<std::pair<unsigned, std::uint64_t>, T>& given, const Join& join) {
  if (auto found = given.find({level, index}); found != given.end()) return found->second;
  if (level == 0) {
    ADD_FAILURE() << "reference: leaf " << index << " missing";
    return T{};
  }
  // Node (l, i) starts at i * 2^l (< n, else it would not be visited); its right child at
  // i * 2^l + 2^(l-1), which stays below 2^64 because i * 2^l is a multiple of 2^l.
  // Level 64 (the root when n > 2^63) has node 0 alone, and shifting by 64 is undefined
  // (UBSan: "shift exponent 64 is too large"), so its start is spelled out.
  const std::uint64_t node_start = level < 64 ? index << level : 0;
  const std::uint64_t right_start = node_start + (std::uint64_t{1} << (level - 1));
  T left = reference_node<T>(level - 1, 2 * index, n, given, join);
  if (right_start >= n) return left;
  return join(left, reference_node<T>(level - 1, 2 * index + 1, n, given, join));
}

template <class T, class Join>
std::optional<T> reference_root(const std::vector<T>& leaves, const Join& join) {
  if (leaves.empty()) return std::nullopt;
  std::map<std::pair<unsigned, std::uint64_t>, T> given;
  for (std::uint64_t i = 0; i < leaves.size(); ++i) given.emplace(std::pair{0U, i}, leaves[i]);
  return reference_node<T>(reference_root_level(leaves.size()), 0, leaves.size(), given, join);
}

// --- joins
// ------------------------------------------------------------------------------------------

// Associative, not commutative: the root must read "0 1 2 ... n-1" exactly.
struct concat_join {
  std::string operator()(std::string a, const std::string& b) const { return a + b; }
};

// Neither associative nor commutative: the root spells out the whole tree shape.
struct tree_join {
  std::string operator()(const std::string& a, const std::string& b) const {
    return "(" + a + "," + b + ")";
  }
};

struct double_plus {
  double operator()(double a, double b) const { return a + b; }
};

// Built with append, not "[" + std::to_string(id): g++ 12 -O2 misreports that with -Wrestrict.
std::string leaf_text(std::uint64_t id) {
  std::string s(1, '[');
  s.append(std::to_string(id)).push_back(']');
  return s;
}

std::string in_order_text(std::uint64_t n) {
  std::string s;
  for (std::uint64_t i = 0; i < n; ++i) s += leaf_text(i);
  return s;
}

// --- simulated ranks
// --------------------------------------------------------------------------------

enum class split { single, random_ranks, contiguous_blocks };

template <class T, class Join>
ordered_partials<T, Join> round_trip(const ordered_partials<T, Join>& set, std::uint64_t n,
                                     const Join& join) {
  byte_buffer bytes;
  byte_writer w(bytes);
  set.encode(w);
  ordered_partials<T, Join> copy(n, join);
  byte_reader r(bytes);
  copy.decode(r);
  EXPECT_TRUE(r.at_end());
  return copy;
}

// Runs one simulated reduction: chunks split among `ranks` sets, inserted in a random order per
// set, every set sent through encode/decode, then the sets merged in a random order (sequential
// fold or a random pairing tree). Returns the root.
template <class T, class Join>
std::optional<T> simulate(const std::vector<T>& leaves, const Join& join, split how, int ranks,
                          std::mt19937_64& gen) {
  const std::uint64_t n = leaves.size();
  std::vector<std::vector<std::uint64_t>> owned(static_cast<std::size_t>(ranks));
  if (how == split::contiguous_blocks) {
    for (std::uint64_t id = 0; id < n; ++id) {
      owned[static_cast<std::size_t>(id * static_cast<std::uint64_t>(ranks) /
                                     std::max<std::uint64_t>(n, 1))]
          .push_back(id);
    }
  } else {
    std::uniform_int_distribution<int> pick(0, ranks - 1);
    for (std::uint64_t id = 0; id < n; ++id) {
      owned[static_cast<std::size_t>(how == split::single ? 0 : pick(gen))].push_back(id);
    }
  }

  std::vector<ordered_partials<T, Join>> sets;
  for (auto& ids : owned) {
    std::shuffle(ids.begin(), ids.end(), gen);
    ordered_partials<T, Join> set(n, join);
    for (const std::uint64_t id : ids) set.insert_chunk(id, leaves[id]);
    sets.push_back(round_trip(set, n, join));
  }

  std::shuffle(sets.begin(), sets.end(), gen);
  if (std::bernoulli_distribution(0.5)(gen)) {
    for (std::size_t k = 1; k < sets.size(); ++k) sets[0].merge(std::move(sets[k]));
  } else {
    // Random pairing: repeatedly merge one random set into another, re-encoding the survivor now
    // and then, as a tree of ranks would.
    while (sets.size() > 1) {
      std::uniform_int_distribution<std::size_t> pick(0, sets.size() - 1);
      const std::size_t a = pick(gen);
      std::size_t b = pick(gen);
      if (a == b) b = (b + 1) % sets.size();
      sets[a].merge(std::move(sets[b]));
      if (std::bernoulli_distribution(0.5)(gen)) sets[a] = round_trip(sets[a], n, join);
      sets.erase(sets.begin() + static_cast<std::ptrdiff_t>(b));
    }
  }
  return sets[0].take_root();
}

constexpr split all_splits[] = {split::single, split::random_ranks, split::contiguous_blocks};

TEST(OrderedPartials, ReferenceTreeSanity) {
  // The reference itself, against hand-drawn trees.
  const tree_join tj;
  auto tree = [&](std::uint64_t n) {
    std::vector<std::string> leaves;
    for (std::uint64_t i = 0; i < n; ++i) leaves.push_back(std::to_string(i));
    return *reference_root(leaves, tj);
  };
  EXPECT_EQ(tree(1), "0");
  EXPECT_EQ(tree(2), "(0,1)");
  EXPECT_EQ(tree(3), "((0,1),2)");
  EXPECT_EQ(tree(5), "(((0,1),(2,3)),4)");
  EXPECT_EQ(tree(6), "(((0,1),(2,3)),(4,5))");
  EXPECT_EQ(tree(7), "(((0,1),(2,3)),((4,5),6))");
}

TEST(OrderedPartials, ZeroChunksHaveNoRoot) {
  ordered_partials<std::string, concat_join> set(0, concat_join{});
  EXPECT_FALSE(set.take_root().has_value());
  std::mt19937_64 gen(1);
  EXPECT_FALSE(simulate<std::string>({}, concat_join{}, split::random_ranks, 3, gen).has_value());
}

TEST(OrderedPartials, IncompleteSetHasNoRoot) {
  ordered_partials<std::string, concat_join> set(5, concat_join{});
  for (std::uint64_t id : {0U, 1U, 3U, 4U}) set.insert_chunk(id, leaf_text(id));
  EXPECT_FALSE(set.take_root().has_value());
  set.insert_chunk(2, leaf_text(2));
  EXPECT_EQ(set.take_root(), in_order_text(5));
}

TEST(OrderedPartials, ConcatenationKeepsChunkOrder) {
  std::mt19937_64 gen(20240601);
  for (std::uint64_t n = 0; n <= 70; ++n) {
    std::vector<std::string> leaves;
    for (std::uint64_t i = 0; i < n; ++i) leaves.push_back(leaf_text(i));
    const auto expected = reference_root(leaves, concat_join{});
    if (n > 0) {
      ASSERT_EQ(*expected, in_order_text(n));
    }
    for (const split how : all_splits) {
      for (const int ranks : {1, 2, 3, 5, 8}) {
        for (int trial = 0; trial < 3; ++trial) {
          const auto root = simulate(leaves, concat_join{}, how, ranks, gen);
          ASSERT_EQ(root, expected) << "n " << n << " ranks " << ranks << " split "
                                    << static_cast<int>(how) << " trial " << trial;
        }
      }
    }
  }
}

TEST(OrderedPartials, TreeShapeMatchesDefinition) {
  std::mt19937_64 gen(77);
  for (std::uint64_t n = 0; n <= 70; ++n) {
    std::vector<std::string> leaves;
    for (std::uint64_t i = 0; i < n; ++i) leaves.push_back(std::to_string(i));
    const auto expected = reference_root(leaves, tree_join{});
    for (const split how : all_splits) {
      for (const int ranks : {1, 2, 3, 4, 7, 16}) {
        for (int trial = 0; trial < 3; ++trial) {
          const auto root = simulate(leaves, tree_join{}, how, ranks, gen);
          ASSERT_EQ(root, expected) << "n " << n << " ranks " << ranks << " split "
                                    << static_cast<int>(how) << " trial " << trial;
        }
      }
    }
  }
}

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

TEST(OrderedPartials, DoubleSumIsBitwiseIdenticalForEveryOrder) {
  std::mt19937_64 gen(4242);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-12, 12);
  int orders_that_matter = 0;
  for (std::uint64_t n = 0; n <= 70; ++n) {
    std::vector<double> leaves;
    for (std::uint64_t i = 0; i < n; ++i)
      leaves.push_back(std::ldexp(mantissa(gen), 3 * exponent(gen)));
    const auto expected = reference_root(leaves, double_plus{});
    // A plain left fold usually rounds differently: evidence that this test can tell orders apart.
    if (n > 0 &&
        bits_of(std::accumulate(leaves.begin(), leaves.end(), 0.0)) != bits_of(*expected)) {
      ++orders_that_matter;
    }
    for (const split how : all_splits) {
      for (const int ranks : {1, 2, 3, 6}) {
        for (int trial = 0; trial < 4; ++trial) {
          const auto root = simulate(leaves, double_plus{}, how, ranks, gen);
          ASSERT_EQ(root.has_value(), expected.has_value());
          if (root) {
            ASSERT_EQ(bits_of(*root), bits_of(*expected))
                << "n " << n << " ranks " << ranks << " split " << static_cast<int>(how) << ": "
                << *root << " vs " << *expected;
          }
        }
      }
    }
  }
  EXPECT_GT(orders_that_matter, 10);
}

// Higher-level nodes handed in directly (as merge does), for chunk counts whose tree reaches
// level 64.
TEST(OrderedPartials, HugeChunkCountsDoNotOverflow) {
  constexpr std::uint64_t two_pow_63 = std::uint64_t{1} << 63U;
  constexpr std::uint64_t u64_max = UINT64_MAX;
  auto label = [](unsigned level, std::uint64_t index) {
    std::string s(1, 'n');
    s.append(std::to_string(level)).append("_").append(std::to_string(index));
    return s;
  };

  struct scenario {
    std::uint64_t n;
    std::vector<std::pair<unsigned, std::uint64_t>> nodes;  // disjoint, covering [0, n)
  };
  std::vector<scenario> scenarios;
  // n = 2^63 + 5: the left half as one level-63 node, the rest as five leaves.
  {
    scenario s{two_pow_63 + 5, {{63U, 0}}};
    for (std::uint64_t id = two_pow_63; id < two_pow_63 + 5; ++id) s.nodes.emplace_back(0U, id);
    scenarios.push_back(s);
  }
  // n = 2^64 - 1: one node per level, 2^63 + 2^62 + ... + 2^0 chunks.
  {
    scenario s{u64_max, {}};
    std::uint64_t start = 0;
    for (int level = 63; level >= 0; --level) {
      s.nodes.emplace_back(static_cast<unsigned>(level), start >> static_cast<unsigned>(level));
      start += std::uint64_t{1} << static_cast<unsigned>(level);
    }
    ASSERT_EQ(start, u64_max);
    scenarios.push_back(s);
  }
  // n = 2^64 - 2: everything but the last chunk of the scenario above.
  {
    scenario s{u64_max - 1, {}};
    std::uint64_t start = 0;
    for (int level = 63; level >= 1; --level) {
      s.nodes.emplace_back(static_cast<unsigned>(level), start >> static_cast<unsigned>(level));
      start += std::uint64_t{1} << static_cast<unsigned>(level);
    }
    scenarios.push_back(s);
  }

  std::mt19937_64 gen(5);
  for (const scenario& s : scenarios) {
    std::map<std::pair<unsigned, std::uint64_t>, std::string> given;
    for (const auto& [level, index] : s.nodes)
      given.emplace(std::pair{level, index}, label(level, index));
    const std::string expected =
        reference_node<std::string>(reference_root_level(s.n), 0, s.n, given, tree_join{});
    for (int trial = 0; trial < 20; ++trial) {
      auto nodes = s.nodes;
      std::shuffle(nodes.begin(), nodes.end(), gen);
      // Two "ranks", each sent through encode/decode, then merged.
      ordered_partials<std::string, tree_join> a(s.n, tree_join{});
      ordered_partials<std::string, tree_join> b(s.n, tree_join{});
      for (std::size_t k = 0; k < nodes.size(); ++k) {
        (k % 2 == 0 ? a : b)
            .insert(nodes[k].first, nodes[k].second, label(nodes[k].first, nodes[k].second));
      }
      a = round_trip(a, s.n, tree_join{});
      b = round_trip(b, s.n, tree_join{});
      if (trial % 2 == 0) {
        a.merge(std::move(b));
        ASSERT_EQ(a.take_root(), expected) << "n " << s.n << " trial " << trial;
      } else {
        b.merge(std::move(a));
        ASSERT_EQ(b.take_root(), expected) << "n " << s.n << " trial " << trial;
      }
    }
  }
}

// A value that counts its live instances, so the test sees how many nodes a set holds without any
// accessor: between calls, only the nodes stored in the set are alive.
struct tracked {
  static inline long live = 0;
  std::string text;
  tracked() { ++live; }
  explicit tracked(std::string t) : text(std::move(t)) { ++live; }
  tracked(const tracked& o) : text(o.text) { ++live; }
  tracked(tracked&& o) noexcept : text(std::move(o.text)) { ++live; }
  tracked& operator=(const tracked&) = default;
  tracked& operator=(tracked&&) noexcept = default;
  ~tracked() { --live; }
};

struct tracked_join {
  tracked operator()(const tracked& a, const tracked& b) const { return tracked(a.text + b.text); }
};

TEST(OrderedPartials, InOrderInsertionKeepsLogarithmicNodes) {
  for (const std::uint64_t n : {1ULL, 2ULL, 3ULL, 31ULL, 64ULL, 1000ULL, 4097ULL}) {
    const long bound = std::bit_width(n);  // floor(log2 n) + 1
    ASSERT_EQ(tracked::live, 0);
    {
      ordered_partials<tracked, tracked_join> set(n, tracked_join{});
      long peak = 0;
      for (std::uint64_t id = 0; id < n; ++id) {
        set.insert_chunk(id, tracked(std::to_string(id % 10)));
        peak = std::max(peak, tracked::live);
        // After k chunks, the full subtrees of k's binary expansion: popcount(k) nodes.
        ASSERT_LE(tracked::live, std::popcount(id + 1)) << "n " << n << " after chunk " << id;
      }
      EXPECT_LE(peak, bound) << "n " << n;
      EXPECT_EQ(tracked::live, 1) << "n " << n << ": only the root should remain";
      const auto root = set.take_root();
      ASSERT_TRUE(root.has_value());
      std::string expected;
      for (std::uint64_t id = 0; id < n; ++id) expected += std::to_string(id % 10);
      EXPECT_EQ(root->text, expected);
    }
    EXPECT_EQ(tracked::live, 0);
  }
}

TEST(OrderedPartials, ContiguousBlockKeepsLogarithmicNodes) {
  // A static-schedule rank holding chunks [first, last) of n, inserted in order.
  const std::uint64_t n = 10007;
  const long bound = 2 * std::bit_width(n);
  for (const auto& [first, last] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {0, 10007}, {1, 5000}, {3333, 6667}, {5003, 10007}, {4095, 4097}}) {
    ordered_partials<tracked, tracked_join> set(n, tracked_join{});
    long peak = 0;
    for (std::uint64_t id = first; id < last; ++id) {
      set.insert_chunk(id, tracked("x"));
      peak = std::max(peak, tracked::live);
    }
    EXPECT_LE(peak, bound) << "block [" << first << ", " << last << ")";
  }
  EXPECT_EQ(tracked::live, 0);
}

}  // namespace
