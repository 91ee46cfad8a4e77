// same_key and copy_short_key (detail/short_keys.hpp) against std::string_view's == and memcpy:
// every length up to 40, a difference at every position, and no byte written outside the copy.
#include <gtest/gtest.h>

#include <cstddef>
#include <mpimr/detail/short_keys.hpp>
#include <string>
#include <string_view>

namespace {

using mpimr::detail::copy_short_key;
using mpimr::detail::same_key;

/// A key of `length` bytes that differ from each other, NUL and bytes >= 0x80 included.
std::string key_of(std::size_t length) {
  std::string key(length, '\0');
  for (std::size_t i = 0; i < length; ++i) key[i] = static_cast<char>(i * 37 + 200);
  return key;
}

TEST(short_keys_test, EqualKeysOfEveryLengthAreSame) {
  for (std::size_t length = 0; length <= 40; ++length) {
    const std::string a = key_of(length);
    const std::string b = a;  // another buffer, same bytes
    EXPECT_TRUE(same_key(a, b)) << "length " << length;
  }
}

TEST(short_keys_test, ADifferenceAtAnyPositionIsSeen) {
  for (std::size_t length = 1; length <= 40; ++length) {
    const std::string a = key_of(length);
    for (std::size_t at = 0; at < length; ++at) {
      for (int flip : {1, 0x20, 0x80}) {
        std::string b = a;
        b[at] = static_cast<char>(b[at] ^ flip);
        EXPECT_FALSE(same_key(a, b)) << "length " << length << ", byte " << at;
        EXPECT_FALSE(same_key(b, a)) << "length " << length << ", byte " << at;
      }
    }
  }
}

TEST(short_keys_test, KeysOfOtherLengthsDiffer) {
  const std::string long_key = key_of(40);
  for (std::size_t n = 0; n < 40; ++n) {
    const std::string_view prefix(long_key.data(), n);
    EXPECT_FALSE(same_key(prefix, std::string_view(long_key.data(), n + 1))) << n;
    EXPECT_EQ(same_key(prefix, std::string_view(long_key.data(), n)), true) << n;
  }
}

TEST(short_keys_test, CopiesEveryByteAndNothingAround) {
  constexpr char guard = '#';
  for (std::size_t length = 0; length <= 16; ++length) {
    const std::string key = key_of(length);
    std::string out(length + 16, guard);
    copy_short_key(out.data() + 8, key);
    EXPECT_EQ(out.substr(8, length), key) << "length " << length;
    EXPECT_EQ(out.substr(0, 8), std::string(8, guard)) << "before, length " << length;
    EXPECT_EQ(out.substr(8 + length), std::string(8, guard)) << "after, length " << length;
  }
}

}  // namespace
