// wordcount's word splitter (apps/wordcount/words.hpp) against a byte-at-a-time reference written
// plainly here: the same words, in the same order, for texts of every length up to a few hundred
// bytes, random bytes of all 256 values, long words, and text that ends inside a word.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../../apps/wordcount/words.hpp"

namespace {

std::vector<std::string> reference_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool letter = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
    if (letter) {
      current.push_back(static_cast<char>(byte | 0x20U));  // ASCII lowercase
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

std::vector<std::string> split(std::string_view text, std::string& scratch) {
  std::vector<std::string> words;
  wordcount::for_each_word(text, scratch, [&](std::string_view w) { words.emplace_back(w); });
  return words;
}

TEST(words_test, FixedCases) {
  std::string scratch;
  EXPECT_TRUE(split("", scratch).empty());
  EXPECT_TRUE(split(" \t\n123 -- \xE2\x80\x94", scratch).empty());
  EXPECT_EQ(split("Hello, WORLD!", scratch), (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(split("a", scratch), (std::vector<std::string>{"a"}));
  EXPECT_EQ(split(std::string_view("x\0y", 3), scratch), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(split("caf\xC3\xA9s", scratch), (std::vector<std::string>{"caf", "s"}));
  const std::string long_word(1000, 'Q');
  EXPECT_EQ(split(long_word + "." + long_word, scratch),
            (std::vector<std::string>{std::string(1000, 'q'), std::string(1000, 'q')}));
}

TEST(words_test, EveryWordAndGapLengthAtEveryOffset) {
  // Words of 1 to 20 letters after gaps of 0 to 17 separators, so word starts and ends fall at
  // every position of an 8-byte load, and the text ends inside a word or a gap.
  std::string scratch;
  for (std::size_t gap = 0; gap <= 17; ++gap) {
    for (std::size_t length = 1; length <= 20; ++length) {
      std::string text;
      for (int w = 0; w < 5; ++w) {
        text.append(gap + (w == 0 ? 0 : 1), ' ');
        for (std::size_t i = 0; i < length; ++i) text.push_back(static_cast<char>('A' + (i % 26)));
      }
      for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        const std::string_view part(text.data(), cut);
        ASSERT_EQ(split(part, scratch), reference_words(part))
            << "gap " << gap << ", length " << length << ", cut " << cut;
      }
    }
  }
}

TEST(words_test, RandomBytes) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> letter_bias(0, 3);
  std::uniform_int_distribution<std::size_t> size(0, 300);
  std::string scratch;  // reused across texts of different sizes, as the mapper does
  for (int round = 0; round < 3000; ++round) {
    std::string text(size(rng), '\0');
    // Mostly letters, so that words are long enough to cross 8-byte loads.
    for (char& c : text)
      c = static_cast<char>(letter_bias(rng) == 0 ? byte(rng) : 'a' + byte(rng) % 26);
    ASSERT_EQ(split(text, scratch), reference_words(text)) << "round " << round;
  }
}

}  // namespace
