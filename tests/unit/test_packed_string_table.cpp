// The packed combining table for std::string keys (packed_string_table) and its packed entry array
// (packed_entries), each checked against a plain std::map<std::string, V> built in the test: every
// key is combined exactly once, whatever the batch boundaries, key lengths or key bytes; drains
// reach the owner rank in the packed record format (packed_entries::for_each_record); records
// round-trip through emit_records, and truncated records throw mpimr::error; a throwing combine
// loses values but never combines one twice; the byte count follows the entries.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <mpimr/detail/combining_table.hpp>
#include <mpimr/detail/key_hash.hpp>
#include <mpimr/detail/packed_entries.hpp>
#include <mpimr/detail/packed_string_table.hpp>
#include <mpimr/errors.hpp>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::owner_rank;
using mpimr::detail::packed_entries;
using mpimr::detail::packed_string_table;
using mpimr::detail::stable_key_hash;

using count_table = packed_string_table<std::uint64_t, std::plus<>>;
using count_map = std::map<std::string, std::uint64_t>;

static_assert(std::forward_iterator<packed_entries<std::uint64_t>::iterator>);

std::vector<std::string> random_words(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(1, 4);
  std::uniform_int_distribution<int> letter(0, 5);  // few letters: many repeated words
  std::vector<std::string> words;
  for (std::size_t i = 0; i < count; ++i) {
    std::string w;
    for (int n = length(rng); n > 0; --n) w.push_back(static_cast<char>('a' + letter(rng)));
    words.push_back(w);
  }
  return words;
}

/// A key of `length` bytes cycling through all 256 byte values (NUL and >= 0x80 included).
std::string binary_key(std::size_t length, unsigned seed) {
  std::string key(length, '\0');
  for (std::size_t i = 0; i < length; ++i) key[i] = static_cast<char>((i * 37U + seed) & 0xFFU);
  return key;
}

/// Bytes of an unsigned LEB128 encoding of `n`, counted independently of the header.
std::size_t leb128_bytes(std::size_t n) {
  std::size_t bytes = 1;
  for (; n >= 128; n /= 128) ++bytes;
  return bytes;
}

/// The table's contents through for_each, failing on a key seen twice.
template <class V, class C>
std::map<std::string, V> contents(packed_string_table<V, C>& table) {
  std::map<std::string, V> seen;
  table.for_each([&](std::string_view k, V v) {
    EXPECT_TRUE(seen.emplace(std::string(k), v).second) << "key seen twice: " << k;
  });
  return seen;
}

/// The entries as a map, failing on a key seen twice.
template <class V>
std::map<std::string, V> contents(const packed_entries<V>& entries) {
  std::map<std::string, V> seen;
  for (const auto& [k, v] : entries) {
    EXPECT_TRUE(seen.emplace(std::string(k), v).second) << "key seen twice: " << k;
  }
  return seen;
}

/// Decodes drained buffers, checking that each key is in the buffer of its owner and only once.
template <class V>
std::map<std::string, V> decode_drained(const std::vector<byte_buffer>& buffers, int ranks) {
  EXPECT_EQ(buffers.size(), static_cast<std::size_t>(ranks));
  std::map<std::string, V> drained;
  for (std::size_t dest = 0; dest < buffers.size(); ++dest) {
    packed_entries<V>::for_each_record(buffers[dest], [&](std::string_view view, const V& v) {
      const std::string k(view);
      EXPECT_EQ(owner_rank(stable_key_hash(k), ranks), static_cast<int>(dest));
      EXPECT_TRUE(drained.emplace(k, v).second) << "drained twice: " << k;
    });
  }
  return drained;
}

/// Sum of [LEB128 length][key][value] over the entries of a reference map.
template <class V>
std::size_t packed_size(const std::map<std::string, V>& reference) {
  std::size_t bytes = 0;
  for (const auto& [k, v] : reference) bytes += leb128_bytes(k.size()) + k.size() + sizeof(V);
  return bytes;
}

// --- packed_entries
// -------------------------------------------------------------------------------

TEST(packed_entries_test, AppendsAndIteratesInInsertionOrder) {
  packed_entries<std::uint64_t> entries;
  EXPECT_TRUE(entries.empty());
  EXPECT_EQ(entries.begin(), entries.end());
  const std::vector<std::string> keys = {
      "b", "", "a", binary_key(200, 1), std::string(3, '\0'), binary_key(20000, 2)};
  std::vector<std::size_t> offsets;
  std::size_t expected_bytes = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    offsets.push_back(entries.append(keys[i], 100 + i));
    EXPECT_EQ(offsets.back(), expected_bytes) << "an entry starts where the previous one ended";
    expected_bytes += leb128_bytes(keys[i].size()) + keys[i].size() + sizeof(std::uint64_t);
    EXPECT_EQ(entries.bytes(), expected_bytes);
  }
  EXPECT_EQ(entries.size(), keys.size());
  EXPECT_FALSE(entries.empty());

  std::size_t i = 0;
  for (auto it = entries.begin(); it != entries.end(); ++it, ++i) {
    ASSERT_LT(i, keys.size());
    EXPECT_EQ(it.offset(), offsets[i]);
    EXPECT_EQ((*it).first, keys[i]);
    EXPECT_EQ((*it).second, 100 + i);
  }
  EXPECT_EQ(i, keys.size());
  EXPECT_EQ(static_cast<std::size_t>(std::distance(entries.begin(), entries.end())), keys.size());
}

TEST(packed_entries_test, RecordAtAndValuesInPlace) {
  packed_entries<double> entries;
  const std::vector<std::string> keys = {"x", binary_key(127, 3), binary_key(128, 4), ""};
  std::vector<std::size_t> offsets;
  for (const auto& k : keys) offsets.push_back(entries.append(k, 1.5));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [key, value_at] = entries.record_at(offsets[i]);
    EXPECT_EQ(key, keys[i]);
    EXPECT_EQ(value_at, offsets[i] + leb128_bytes(keys[i].size()) + keys[i].size());
    EXPECT_EQ(entries.value(value_at), 1.5);
    entries.set_value(value_at, static_cast<double>(i) * 2.25);
  }
  std::size_t i = 0;
  for (const auto& [key, value] : entries) {
    EXPECT_EQ(key, keys[i]);
    EXPECT_EQ(value, static_cast<double>(i) * 2.25) << "set_value must not touch other entries";
    ++i;
  }
}

TEST(packed_entries_test, ClearKeepsWorkingAndReleaseEmpties) {
  packed_entries<std::uint32_t> entries;
  for (int round = 0; round < 3; ++round) {
    // Not a map: equal keys (here the empty one) are separate entries.
    std::vector<std::pair<std::string, std::uint32_t>> expected;
    std::size_t expected_bytes = 0;
    for (std::uint32_t n = 0; n < 500; ++n) {
      const std::string key = binary_key(n % 150, static_cast<unsigned>(round) * 1000U + n);
      entries.append(key, n);
      expected.emplace_back(key, n);
      expected_bytes += leb128_bytes(key.size()) + key.size() + sizeof(std::uint32_t);
    }
    EXPECT_EQ(entries.size(), expected.size());
    EXPECT_EQ(entries.bytes(), expected_bytes);
    std::vector<std::pair<std::string, std::uint32_t>> seen;
    for (const auto& [k, v] : entries) seen.emplace_back(k, v);
    EXPECT_EQ(seen, expected) << "round " << round;
    if (round == 1) {
      entries.release();
    } else {
      entries.clear();
    }
    EXPECT_TRUE(entries.empty());
    EXPECT_EQ(entries.size(), 0U);
    EXPECT_EQ(entries.bytes(), 0U);
    EXPECT_EQ(entries.begin(), entries.end());
  }
}

// --- packed_string_table
// --------------------------------------------------------------------------

TEST(packed_string_table_test, CombinesLikeAMapAtEveryBatchBoundary) {
  const auto words = random_words(2000, 7);
  for (std::size_t count : {0U, 1U, 15U, 16U, 17U, 33U, 2000U}) {
    count_map reference;
    for (std::size_t i = 0; i < count; ++i) reference[words[i]] += i + 1;
    // Read through each member first, so that each must take the waiting keys into account.
    auto filled = [&] {
      count_table table{std::plus<>{}};
      for (std::size_t i = 0; i < count; ++i) table.emit(words[i], i + 1);
      return table;
    };
    auto by_size = filled();
    EXPECT_EQ(by_size.empty(), count == 0) << count << " emits, before any lookup";
    EXPECT_EQ(by_size.size(), reference.size()) << count << " emits";
    auto by_for_each = filled();
    EXPECT_EQ(contents(by_for_each), reference) << count << " emits";
    EXPECT_EQ(by_for_each.size(), reference.size()) << count << " emits";
    auto by_take = filled();
    const auto entries = by_take.take_entries();
    EXPECT_EQ(contents(entries), reference) << count << " emits";
    EXPECT_EQ(entries.size(), reference.size());
    EXPECT_TRUE(by_take.empty());
    EXPECT_EQ(by_take.size(), 0U);
  }
}

TEST(packed_string_table_test, CopiesTheKeyAtEmitAndOwnedKeys) {
  count_table table{std::plus<>{}};
  std::string buffer = "abc";
  table.emit(buffer, 1);
  buffer[0] = 'x';  // the caller's buffer may change at once
  table.emit(buffer, 2);
  table.emit_owned(std::string("abc"), 4);
  table.emit_owned(std::string(100, 'k'), 8);
  EXPECT_EQ(contents(table), (count_map{{"abc", 5}, {"xbc", 2}, {std::string(100, 'k'), 8}}));
}

TEST(packed_string_table_test, KeysOfEveryLengthAndByte) {
  count_table table{std::plus<>{}};
  count_map reference;
  auto emit = [&](const std::string& key, std::uint64_t value) {
    table.emit(key, value);
    reference[key] += value;
  };
  // Twice over, so every key is both added and combined; keys of one letter are prefixes of
  // each other, binary keys hold NUL and bytes >= 0x80. Lengths up to 600 take 1 and 2 LEB128
  // bytes, and cross the size of the buffer where emitted keys wait (512 bytes).
  for (int pass = 1; pass <= 2; ++pass) {
    for (std::size_t length = 0; length <= 600; ++length) {
      emit(std::string(length, 'x'), length * 10 + static_cast<std::uint64_t>(pass));
      emit(binary_key(length, 5), length + 1000);
    }
    emit(std::string(20000, 'y'), 7);  // a length of 3 LEB128 bytes
    emit(binary_key(20000, 9), 11);
  }
  EXPECT_EQ(table.size(), reference.size());
  EXPECT_EQ(contents(table), reference);

  // The drained records decode with the generic codec.
  EXPECT_EQ(decode_drained<std::uint64_t>(table.drain_by_owner(3), 3), reference);
  EXPECT_EQ(table.size(), 0U);

  for (const auto& [k, v] : reference) table.emit(k, v);
  const auto entries = table.take_entries();
  EXPECT_EQ(contents(entries), reference);
  EXPECT_EQ(entries.bytes(), packed_size(reference));
}

/// Pairs of distinct keys of `length` bytes whose hashes agree in the top 24 bits (the tag the
/// index keeps) and the low 6 bits (the first slot of a 64-slot index): the table must tell them
/// apart by comparing the keys themselves.
std::vector<std::pair<std::string, std::string>> keys_with_equal_tags(std::size_t length,
                                                                      std::size_t pairs) {
  std::map<std::uint64_t, std::string> seen;
  std::vector<std::pair<std::string, std::string>> found;
  for (std::uint64_t i = 0; found.size() < pairs; ++i) {
    std::string key = std::to_string(i);
    key.insert(0, length - key.size(), '0');
    const std::uint64_t hash = stable_key_hash(key);
    const auto [it, added] = seen.emplace(((hash >> 40) << 6) | (hash & 63), key);
    if (!added) found.emplace_back(it->second, key);
  }
  return found;
}

TEST(packed_string_table_test, KeysWithEqualHashTagsStayApart) {
  for (std::size_t length : {7U, 8U, 12U, 16U, 17U, 40U}) {
    for (const auto& [first, second] : keys_with_equal_tags(length, 2)) {
      ASSERT_NE(first, second);
      count_table table{std::plus<>{}};
      for (int i = 0; i < 3; ++i) {
        table.emit(first, 1);
        table.emit(second, 10);
      }
      EXPECT_EQ(contents(table), (count_map{{first, 3}, {second, 30}}))
          << "keys of length " << length;
    }
  }
}

TEST(packed_string_table_test, ManyDistinctKeysGrowTheIndex) {
  count_table table{std::plus<>{}};
  count_map reference;
  for (std::uint64_t i = 0; i < 400000; ++i) {
    const std::uint64_t n = i % 200000;  // every key twice
    const std::string key = std::string(n % 23, 'k').append(std::to_string(n));
    table.emit(key, i);
    reference[key] += i;
  }
  ASSERT_EQ(reference.size(), 200000U);
  EXPECT_EQ(table.size(), reference.size());
  EXPECT_EQ(contents(table), reference);
  const auto entries = table.take_entries();
  EXPECT_EQ(contents(entries), reference);
  EXPECT_TRUE(table.empty());

  // Refilled after take_entries freed the index.
  for (const auto& [k, v] : reference) table.emit(k, v);
  EXPECT_EQ(contents(table), reference);
}

TEST(packed_string_table_test, DrainsEveryKeyOnceToItsOwnerAndCanBeRefilled) {
  const auto words = random_words(5000, 11);
  count_map reference;
  for (const auto& w : words) reference[w] += w.size();
  for (int ranks : {1, 2, 3, 5}) {
    count_table table{std::plus<>{}};
    // Three fills: the later ones reuse the storage the drains kept.
    for (int fill = 0; fill < 3; ++fill) {
      for (const auto& w : words) table.emit(w, w.size());
      EXPECT_EQ(table.size(), reference.size());
      const auto buffers = table.drain_by_owner(ranks);
      EXPECT_TRUE(table.empty());
      EXPECT_EQ(table.size(), 0U);
      EXPECT_EQ(decode_drained<std::uint64_t>(buffers, ranks), reference)
          << ranks << " ranks, fill " << fill;
    }
  }
}

TEST(packed_string_table_test, DrainKeepsTheEntriesOfSelf) {
  const auto words = random_words(3000, 13);
  count_map reference;
  for (const auto& w : words) reference[w] += 1;
  const int ranks = 4;
  auto owner_of = [](std::string_view key) { return owner_rank(stable_key_hash(key), ranks); };
  for (int self = 0; self < ranks; ++self) {
    count_table table{std::plus<>{}};
    for (int fill = 0; fill < 2; ++fill) {
      for (const auto& w : words) table.emit(w, 1);
      count_map kept;
      const auto buffers = table.drain_by_owner(
          ranks, owner_of, self,
          [&](std::string_view k, std::uint64_t v) { EXPECT_TRUE(kept.emplace(k, v).second); });
      EXPECT_TRUE(buffers[static_cast<std::size_t>(self)].empty()) << "self " << self;
      count_map expected_kept;
      count_map expected_sent;
      for (const auto& [k, v] : reference) {
        (owner_of(k) == self ? expected_kept : expected_sent).emplace(k, v);
      }
      EXPECT_EQ(kept, expected_kept) << "self " << self << ", fill " << fill;
      EXPECT_EQ(decode_drained<std::uint64_t>(buffers, ranks), expected_sent)
          << "self " << self << ", fill " << fill;
      EXPECT_TRUE(table.empty());
    }
  }
}

TEST(packed_string_table_test, EmitRecordsRoundTrip) {
  const auto words = random_words(4000, 17);
  count_map reference;
  count_table source{std::plus<>{}};
  for (const auto& w : words) {
    source.emit(w, 3);
    reference[w] += 3;
  }
  source.emit(binary_key(300, 1), 5);  // a key with NUL and high bytes
  reference[binary_key(300, 1)] += 5;
  const auto buffers = source.drain_by_owner(3);

  count_table target{std::plus<>{}};
  for (const auto& b : buffers) target.emit_records(b);
  EXPECT_EQ(contents(target), reference);

  // Into a table already holding the same keys: combined, each value doubles.
  for (const auto& b : buffers) target.emit_records(b);
  count_map doubled = reference;
  for (auto& [k, v] : doubled) v *= 2;
  EXPECT_EQ(contents(target), doubled);

  target.emit_records({});  // nothing
  EXPECT_EQ(target.size(), doubled.size());
}

TEST(packed_string_table_test, TruncatedRecordsThrow) {
  count_table source{std::plus<>{}};
  const std::vector<std::string> keys = {"one", "", binary_key(130, 2), "four"};
  count_map reference;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    source.emit(keys[i], i + 1);
    reference[keys[i]] += i + 1;
  }
  const byte_buffer buffer = std::move(source.drain_by_owner(1)[0]);
  // Record boundaries, from the format: [LEB128 length][key][u64 value], in insertion order.
  std::vector<std::size_t> boundaries = {0};
  for (const auto& k : keys) {
    boundaries.push_back(boundaries.back() + leb128_bytes(k.size()) + k.size() + 8);
  }
  ASSERT_EQ(boundaries.back(), buffer.size());

  std::size_t records = 0;
  for (std::size_t prefix = 0; prefix <= buffer.size(); ++prefix) {
    count_table target{std::plus<>{}};
    const std::span<const std::byte> part(buffer.data(), prefix);
    if (prefix == boundaries[records]) {
      EXPECT_NO_THROW(target.emit_records(part)) << "prefix " << prefix;
      count_map expected;
      for (std::size_t i = 0; i < records; ++i) expected.emplace(keys[i], i + 1);
      EXPECT_EQ(contents(target), expected) << "prefix " << prefix;
      ++records;
    } else {
      EXPECT_THROW(target.emit_records(part), mpimr::error) << "prefix " << prefix;
    }
  }
  EXPECT_EQ(records, keys.size() + 1);

  // A length far beyond the buffer fails before reading, and so does a length that never ends.
  byte_buffer corrupt(buffer);
  ASSERT_GE(corrupt.size(), 11U);
  for (std::size_t i = 0; i < 8; ++i) corrupt[i] = std::byte{0xFF};
  corrupt[8] = std::byte{0x7F};
  count_table target{std::plus<>{}};
  EXPECT_THROW(target.emit_records(corrupt), mpimr::error);
  for (std::size_t i = 0; i < 11; ++i) corrupt[i] = std::byte{0x80};
  EXPECT_THROW(target.emit_records(corrupt), mpimr::error);
}

TEST(packed_string_table_test, DoubleValues) {
  packed_string_table<double, std::plus<>> table{std::plus<>{}};
  std::map<std::string, double> reference;
  const auto words = random_words(3000, 19);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const double value = static_cast<double>(i % 9) * 0.25 - 1.0;  // sums exact in any order
    table.emit(words[i], value);
    reference[words[i]] += value;
  }
  EXPECT_EQ(contents(table), reference);
  EXPECT_EQ(decode_drained<double>(table.drain_by_owner(2), 2), reference);
}

struct word_stats {
  std::uint32_t count;
  std::uint32_t max_len;
  bool operator==(const word_stats&) const = default;
};

TEST(packed_string_table_test, StructValuesWithUserCombine) {
  auto combine = [](word_stats a, word_stats b) {
    return word_stats{a.count + b.count, std::max(a.max_len, b.max_len)};
  };
  packed_string_table<word_stats, decltype(combine)> table{combine};
  std::map<std::string, word_stats> reference;
  const auto words = random_words(3000, 23);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const word_stats value{1, static_cast<std::uint32_t>(i % 97)};
    table.emit(words[i], value);
    const auto [it, added] = reference.emplace(words[i], value);
    if (!added) it->second = combine(it->second, value);
  }
  EXPECT_EQ(contents(table), reference);
  EXPECT_EQ(decode_drained<word_stats>(table.drain_by_owner(3), 3), reference);
}

TEST(packed_string_table_test, ArrayValues) {
  using triple = std::array<int, 3>;
  auto combine = [](triple a, const triple& b) {
    for (std::size_t i = 0; i < 3; ++i) a[i] += b[i];
    return a;
  };
  packed_string_table<triple, decltype(combine)> table{combine};
  std::map<std::string, triple> reference;
  const auto words = random_words(3000, 29);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const int n = static_cast<int>(i);
    const triple value{1, n % 7 - 3, -n};
    table.emit(words[i], value);
    const auto [it, added] = reference.emplace(words[i], value);
    if (!added) it->second = combine(it->second, value);
  }
  EXPECT_EQ(contents(table), reference);
  EXPECT_EQ(decode_drained<triple>(table.drain_by_owner(5), 5), reference);
}

/// A sum that throws on its `throw_on`-th call (counting from 1).
struct throwing_plus {
  int* calls;
  int throw_on;
  std::uint64_t operator()(std::uint64_t a, std::uint64_t b) const {
    if (++*calls == throw_on) throw std::runtime_error("combine failed");
    return a + b;
  }
};

TEST(packed_string_table_test, ThrowingCombineInEmitNeverCombinesTwice) {
  const auto words = random_words(2000, 31);
  int calls = 0;
  packed_string_table<std::uint64_t, throwing_plus> table{throwing_plus{&calls, 50}};
  count_map reference;
  std::uint64_t reference_total = 0;
  int thrown = 0;
  for (const auto& w : words) {
    reference[w] += 1;
    ++reference_total;
    try {
      table.emit(w, 1);
    } catch (const std::runtime_error&) {
      ++thrown;
    }
  }
  EXPECT_EQ(thrown, 1) << "the exception propagates out of emit";
  const auto seen = contents(table);
  std::uint64_t total = 0;
  for (const auto& [k, v] : seen) {
    ASSERT_EQ(reference.count(k), 1U) << "unknown key " << k;
    EXPECT_LE(v, reference[k]) << k << " combined more often than emitted";
    total += v;
  }
  // At most the rest of one batch (16 values) is lost with the throw.
  EXPECT_LE(total, reference_total);
  EXPECT_GE(total + 16, reference_total);
}

TEST(packed_string_table_test, ThrowingCombineInSizeAndEmitsAfterIt) {
  int calls = 0;
  packed_string_table<std::uint64_t, throwing_plus> table{throwing_plus{&calls, 2}};
  for (int i = 0; i < 5; ++i) table.emit("a", 1);  // one batch, not yet looked up
  EXPECT_THROW(static_cast<void>(table.size()), std::runtime_error);
  const auto after_throw = contents(table);
  ASSERT_EQ(after_throw.size(), 1U);
  const std::uint64_t kept = after_throw.at("a");
  EXPECT_GE(kept, 1U);
  EXPECT_LE(kept, 5U);
  // Emits after the throw all count, and nothing from before it is combined again.
  for (int i = 0; i < 3; ++i) table.emit("a", 1);
  table.emit("b", 1);
  EXPECT_EQ(contents(table), (count_map{{"a", kept + 3}, {"b", 1}}));
}

TEST(packed_string_table_test, ThrowingCombineOnAKeyTooLongToWait) {
  int calls = 0;
  packed_string_table<std::uint64_t, throwing_plus> table{throwing_plus{&calls, 2}};
  const std::string long_key(5000, 'L');  // longer than the buffer of waiting keys
  table.emit(long_key, 1);
  table.emit(long_key, 1);
  bool thrown = false;
  try {
    table.emit(long_key, 1);
    static_cast<void>(table.size());
  } catch (const std::runtime_error&) {
    thrown = true;
  }
  EXPECT_TRUE(thrown);
  table.emit(long_key, 1);
  const auto seen = contents(table);
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen.at(long_key), 3U) << "one of four values lost with the throw, none counted twice";
}

TEST(packed_string_table_test, BytesFollowTheDistinctKeys) {
  count_table table{std::plus<>{}};
  EXPECT_EQ(table.bytes(), 0U);
  table.emit("short", 1);
  EXPECT_GE(table.bytes(), 5U) << "a key waiting to be looked up counts too";
  EXPECT_EQ(table.size(), 1U);
  const std::uint64_t one_entry = table.bytes();
  EXPECT_GE(one_entry, 1 + 5 + sizeof(std::uint64_t));
  table.emit("short", 1);  // combined: no new entry
  EXPECT_EQ(table.size(), 1U);
  EXPECT_EQ(table.bytes(), one_entry);

  count_map reference{{"short", 2}};
  std::uint64_t previous = one_entry;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = std::string("k").append(std::to_string(i));
    table.emit(key, 1);
    reference[key] += 1;
    if (i % 1000 == 999) {
      static_cast<void>(table.size());
      EXPECT_GT(table.bytes(), previous);
      // At least the packed entries and one 8-byte index slot per entry.
      EXPECT_GE(table.bytes(), packed_size(reference) + 8 * reference.size());
      previous = table.bytes();
    }
  }
  const std::string long_key(1000, 'x');
  table.emit(long_key, 1);
  EXPECT_GE(table.bytes(), previous + 1000);

  static_cast<void>(table.drain_by_owner(3));
  EXPECT_LT(table.bytes(), previous);
  table.release();
  EXPECT_EQ(table.bytes(), 0U);
  EXPECT_TRUE(table.empty());
}

}  // namespace
