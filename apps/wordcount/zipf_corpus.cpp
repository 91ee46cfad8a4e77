// Generation of the Zipf corpus (see zipf_corpus.hpp).
#include "zipf_corpus.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <mpimr/chunk_rng.hpp>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace wordcount {
namespace {

__extension__ typedef unsigned __int128 u128;  // __extension__: not an error under -Wpedantic

// Independent Philox streams: the text of block b is (seed, chunk b, stream 0), the vocabulary
// (seed, chunk 0, stream 1).
constexpr std::uint64_t text_stream = 0;
constexpr std::uint64_t vocabulary_stream = 1;
constexpr unsigned max_word_letters = 12;

constexpr std::uint64_t mul_high(std::uint64_t a, std::uint64_t b) noexcept {
  return static_cast<std::uint64_t>((u128{a} * b) >> 64U);
}

// Zipf weights in fixed point, so that they are the same bits everywhere (libm's pow need not be
// correctly rounded, and differs between C libraries).
constexpr unsigned log_fraction_bits = 48;
constexpr unsigned exponent_fraction_bits = 32;
constexpr unsigned weight_bits = 40;  // the most likely word weighs 2^40

/// log2(n) with 48 fraction bits, n < 2^62, of which the top 32 are computed (each squaring of the
/// mantissa yields one): an error below 2^-32 changes a weight by less than 10^-9 * exponent, and
/// 10^7 words take a fraction of a second.
constexpr std::uint64_t log2_fixed(std::uint64_t n) noexcept {
  constexpr unsigned computed_bits = 32;
  const auto whole = static_cast<unsigned>(std::bit_width(n) - 1);
  std::uint64_t mantissa = n << (62U - whole);  // n / 2^whole in [1, 2), 62 fraction bits
  std::uint64_t result = std::uint64_t{whole} << log_fraction_bits;
  for (unsigned bit = log_fraction_bits; bit-- > log_fraction_bits - computed_bits;) {
    mantissa = static_cast<std::uint64_t>((u128{mantissa} * mantissa) >> 62U);  // in [1, 4)
    const std::uint64_t carry = mantissa >> 63U;  // no branch: it would be taken at random
    mantissa >>= carry;
    result |= carry << bit;
  }
  return result;
}

/// 2^-f for f in [0, 1) with 48 fraction bits, as 62 fraction bits: 2^-f = 2^(1 - f) / 2, and
/// 2^(1 - f) = e^((1 - f) ln 2) is a Taylor series of positive terms only.
constexpr std::uint64_t exp2_negative_fraction(std::uint64_t f) noexcept {
  constexpr std::uint64_t ln2 = 0x2c5c85fdf473de6b;  // round(ln 2 * 2^62)
  constexpr std::uint64_t one = std::uint64_t{1} << 62U;
  const std::uint64_t g = (std::uint64_t{1} << log_fraction_bits) - f;
  const auto y = static_cast<std::uint64_t>((u128{g} * ln2) >> log_fraction_bits);
  std::uint64_t term = one;
  std::uint64_t power = one;  // 2^(1 - f), in (1, 2]
  for (std::uint64_t k = 1; term != 0; ++k) {
    term = static_cast<std::uint64_t>((u128{term} * y) >> 62U) / k;
    power += term;
  }
  return power >> 1U;
}

/// round(2^40 * 2^-x), x with 48 fraction bits. The whole part of x is a shift; 2^-fraction is a
/// product of six entries of a table made at compile time, one per byte of the fraction (a series
/// per word would cost seconds for 10^7 words).
class weight_table {
 public:
  static constexpr unsigned bytes = log_fraction_bits / 8;

  constexpr weight_table() {
    for (unsigned k = 0; k < bytes; ++k) {
      for (std::uint64_t b = 0; b < 256; ++b) {
        entries_[k][b] = exp2_negative_fraction(b << (log_fraction_bits - 8 * (k + 1)));
      }
    }
  }

  [[nodiscard]] constexpr std::uint64_t weight(std::uint64_t x) const noexcept {
    std::uint64_t power = std::uint64_t{1} << 62U;
    for (unsigned k = 0; k < bytes; ++k) {
      const auto byte = (x >> (log_fraction_bits - 8 * (k + 1))) & 255U;
      power = static_cast<std::uint64_t>((u128{power} * entries_[k][byte]) >> 62U);
    }
    const std::uint64_t shift = (x >> log_fraction_bits) + 62 - weight_bits;
    if (shift >= 64) return 0;
    return (power + (std::uint64_t{1} << (shift - 1))) >> shift;
  }

 private:
  std::uint64_t entries_[bytes][256] = {};
};

constexpr weight_table weights;

/// A bijection of [0, 26^length) drawn from `rng`, to number the strings of one length in a
/// scrambled order: an affine map, reversal of the base-26 digits (so that the low digit, which
/// an affine map only cycles, becomes the high one), another affine map.
class letter_shuffle {
 public:
  letter_shuffle(unsigned length, mpimr::chunk_rng& rng) : length_(length) {
    for (unsigned k = 0; k < length; ++k) strings_ *= 26;
    for (auto& [scale, offset] : rounds_) {
      // Coprime to 26 = 2 * 13, so the map is invertible (odd + 2 stays odd modulo 26^length).
      scale = rng() % strings_ | 1U;
      while (scale % 13 == 0) scale = (scale + 2) % strings_;
      offset = rng() % strings_;
    }
  }

  [[nodiscard]] std::uint64_t strings() const noexcept { return strings_; }

  [[nodiscard]] std::uint64_t operator()(std::uint64_t n) const noexcept {
    std::uint64_t x = affine(n, 0);
    std::uint64_t reversed = 0;
    for (unsigned k = 0; k < length_; ++k, x /= 26) reversed = reversed * 26 + x % 26;
    return affine(reversed, 1);
  }

 private:
  [[nodiscard]] std::uint64_t affine(std::uint64_t x, unsigned round) const noexcept {
    const auto& [scale, offset] = rounds_[round];
    return static_cast<std::uint64_t>((u128{x} * scale + offset) % strings_);
  }

  unsigned length_;
  std::uint64_t strings_ = 1;  // 26^length <= 26^12 < 2^57
  std::pair<std::uint64_t, std::uint64_t> rounds_[2] = {};
};

static_assert(log2_fixed(1) == 0 && log2_fixed(1024) == std::uint64_t{10} << log_fraction_bits);
static_assert(weights.weight(0) == std::uint64_t{1} << weight_bits);
static_assert(weights.weight(std::uint64_t{3} << log_fraction_bits) == std::uint64_t{1} << 37U);
// 2^40 * 2^-0.5, rounded
static_assert(weights.weight(std::uint64_t{1} << (log_fraction_bits - 1)) == 777472127994);

}  // namespace

/// Writes one block: lines of 1 to 24 words, then one last line cut to fit the block exactly.
class zipf_corpus::block_writer {
 public:
  block_writer(const zipf_corpus& corpus, std::uint64_t block, std::string& out)
      : corpus_(corpus), rng_(corpus.seed_, mpimr::chunk{.id = block}, text_stream), out_(out) {}

  void write(std::uint64_t size) {
    const std::size_t end = out_.size() + size;
    out_.reserve(end + 1024);  // a line that overshoots is taken back, so room for one more
    while (out_.size() < end) {
      const std::size_t line_start = out_.size();
      append_line();
      if (out_.size() > end) {
        out_.resize(line_start);
        fill_line(end - line_start);
      }
    }
  }

 private:
  /// A word rank with P(i) proportional to the Zipf weight: one bucket, then word or alias.
  std::uint32_t sample() {
    const auto bucket = mul_high(rng_(), corpus_.threshold_.size());
    return rng_() < corpus_.threshold_[bucket] ? static_cast<std::uint32_t>(bucket)
                                               : corpus_.alias_[bucket];
  }

  /// Appends a word, its case chosen by `look`; wordcount lowercases it again.
  void append_word(std::uint64_t look, bool capital) {
    const std::size_t at = out_.size();
    out_.append(corpus_.word(sample()));
    const auto style = look & 63U;
    if (style == 0) {
      for (std::size_t i = at; i < out_.size(); ++i) out_[i] = upper(out_[i]);
    } else if (capital || style <= 4) {
      out_[at] = upper(out_[at]);
    }
  }

  /// Appends what goes between two words, chosen by `look`; returns whether a sentence ended.
  /// Every separator holds a non-letter, so neighbouring words never glue together.
  bool append_separator(std::uint64_t look) {
    const auto kind = (look >> 8U) & 255U;
    const auto number = (look >> 16U) % 10000;
    if (kind < 200) {
      out_ += ' ';
    } else if (kind < 216) {
      out_ += ", ";
    } else if (kind < 226) {
      out_ += ". ";
      return true;
    } else if (kind < 230) {
      out_ += "; ";
    } else if (kind < 233) {
      out_ += ": ";
    } else if (kind < 236) {
      out_ += " - ";
    } else if (kind < 239) {
      out_ += '\t';
    } else if (kind < 242) {
      out_ += "  ";
    } else if (kind < 247) {
      out_ += ' ';
      append_number(number);
      out_ += ' ';
    } else if (kind < 250) {
      append_number(number % 10);  // glued: "word7word" is two words
    } else if (kind < 253) {
      out_ += '\'';  // as in "don't": two words for wordcount
    } else if (kind < 255) {
      out_ += " / ";
    } else {
      out_ += " \u2014 ";  // an em dash in UTF-8: bytes above 127 separate words too
    }
    return false;
  }

  void append_number(std::uint64_t n) {
    char digits[24];
    const auto result = std::to_chars(std::begin(digits), std::end(digits), n);
    // (pointer, length) rather than an iterator pair: g++ 12 -O3 warns falsely (-Wrestrict) on
    // that.
    out_.append(digits, static_cast<std::size_t>(result.ptr - digits));
  }

  void append_line() {
    const std::uint64_t shape = rng_();
    if ((shape & 63U) == 0) {
      out_ += '\n';  // a blank line now and then
      return;
    }
    const auto words = 1 + (shape >> 6U) % 24;
    bool capital = true;
    for (std::uint64_t k = 0; k < words; ++k) {
      const std::uint64_t look = rng_();
      append_word(look, capital);
      if (k + 1 < words) capital = append_separator(look);
    }
    static constexpr char endings[] = {'.', '.', '.', '.', '!', '?', ',', ' '};
    const char ending = endings[(shape >> 16U) % 8];
    if (ending != ' ') out_ += ending;
    out_ += '\n';
  }

  /// A line of exactly `size` bytes: words while they fit (a few misses allowed), then spaces.
  void fill_line(std::uint64_t size) {
    std::uint64_t room = size - 1;
    for (int misses = 0; room > 0 && misses < 4;) {
      const std::size_t at = out_.size();
      const bool first = room == size - 1;
      if (!first) out_ += ' ';
      append_word(rng_(), first);
      const std::uint64_t used = out_.size() - at;
      if (used > room) {
        out_.resize(at);
        ++misses;
        continue;
      }
      room -= used;
    }
    out_.append(room, ' ');
    out_ += '\n';
  }

  static constexpr char upper(char c) noexcept { return static_cast<char>(c - 'a' + 'A'); }

  const zipf_corpus& corpus_;
  mpimr::chunk_rng rng_;
  std::string& out_;
};

zipf_corpus::zipf_corpus(const corpus_options& options)
    : bytes_(options.bytes), seed_(options.seed) {
  if (options.vocabulary == 0 || options.vocabulary > max_vocabulary) {
    throw std::invalid_argument("zipf_corpus: the vocabulary must have 1 to " +
                                std::to_string(max_vocabulary) + " words");
  }
  if (!std::isfinite(options.exponent) || !(options.exponent > 0)) {
    throw std::invalid_argument("zipf_corpus: the exponent must be finite and > 0");
  }
  build_vocabulary(options.vocabulary);
  build_sampler(options.vocabulary, options.exponent);
}

std::uint64_t zipf_corpus::block_count() const noexcept {
  return bytes_ / block_bytes + (bytes_ % block_bytes != 0 ? 1 : 0);
}

void zipf_corpus::append_block(std::uint64_t id, std::string& out) const {
  const std::uint64_t start = id * block_bytes;
  block_writer(*this, id, out).write(std::min(block_bytes, bytes_ - start));
}

/// Word i has a random length of 1 to 12 letters (6 or 7 most often) and is the next unused string
/// of that length in a scrambled order of all of them: distinct by construction, with no table of
/// words taken (which cost seconds of cache misses at 10^7 words). A length whose strings are all
/// used (26 of one letter, 676 of two, ...) is drawn again.
void zipf_corpus::build_vocabulary(std::uint64_t size) {
  mpimr::chunk_rng rng(seed_, mpimr::chunk{}, vocabulary_stream);
  std::vector<letter_shuffle> shuffles;
  for (unsigned length = 1; length <= max_word_letters; ++length)
    shuffles.emplace_back(length, rng);
  std::vector<std::uint64_t> used(max_word_letters + 1, 0);
  letters_.clear();
  letters_.reserve(size * 8);  // about 7 letters a word
  offsets_.assign(1, 0);
  offsets_.reserve(size + 1);
  while (offsets_.size() <= size) {
    const std::uint64_t shape = rng();
    const auto length = static_cast<unsigned>(1 + shape % 6 + (shape >> 8U) % 7);
    const letter_shuffle& shuffle = shuffles[length - 1];
    if (used[length] == shuffle.strings()) continue;
    std::uint64_t digits = shuffle(used[length]++);
    for (unsigned k = 0; k < length; ++k, digits /= 26)
      letters_ += static_cast<char>('a' + digits % 26);
    offsets_.push_back(static_cast<std::uint32_t>(letters_.size()));
  }
}

/// Vose's alias method in exact integers: every bucket holds `total`, word i brings
/// weight_i * size of it. Exactness leaves every unpaired bucket exactly full at the end.
void zipf_corpus::build_sampler(std::uint64_t size, double exponent) {
  // From about 41 on, every word but the first weighs 2^40 * 2^-41 or less, rounded to 0: capping
  // at 64 changes nothing and keeps the products below in range.
  const auto s = static_cast<std::uint64_t>(
      std::llround(std::min(exponent, 64.0) * std::ldexp(1.0, exponent_fraction_bits)));
  std::vector<std::uint64_t> mass(size);
  std::uint64_t total = 0;  // at most 2^40 * 10^7 < 2^64
  for (std::uint64_t i = 0; i < size; ++i) {
    const auto x =
        static_cast<std::uint64_t>((u128{s} * log2_fixed(i + 1)) >> exponent_fraction_bits);
    const std::uint64_t weight = weights.weight(x);
    total += weight;
    mass[i] = weight * size;  // < 2^(40 + 24)
  }
  threshold_.assign(size, std::numeric_limits<std::uint64_t>::max());
  alias_.resize(size);
  std::iota(alias_.begin(), alias_.end(), std::uint32_t{0});
  std::vector<std::uint32_t> small;
  std::vector<std::uint32_t> large;
  for (std::uint32_t i = 0; i < size; ++i) (mass[i] < total ? small : large).push_back(i);
  while (!small.empty() && !large.empty()) {
    const std::uint32_t light = small.back();
    small.pop_back();
    const std::uint32_t heavy = large.back();
    threshold_[light] = static_cast<std::uint64_t>((u128{mass[light]} << 64U) / total);
    alias_[light] = heavy;
    mass[heavy] -= total - mass[light];
    if (mass[heavy] < total) {
      large.pop_back();
      small.push_back(heavy);
    }
  }
}

}  // namespace wordcount
