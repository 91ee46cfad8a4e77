// A deterministic text corpus whose words follow Zipf's law, for wordcount's tests and benchmarks:
// the same options give the same bytes on every machine, in any order of generation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wordcount {

struct corpus_options {
  std::uint64_t bytes = 0;             // exact size of the corpus
  std::uint64_t vocabulary = 200'000;  // distinct words
  std::uint64_t seed = 0;
  double exponent = 1.0;  // P(word i) is proportional to 1 / (i + 1)^exponent
};

/// The corpus is a sequence of blocks of `block_bytes` (the last one shorter), each made of whole
/// lines ending in '\n' and depending only on the options and its own id, so blocks can be made in
/// any order, on any rank, and the bytes never depend on who made them. Words are the vocabulary's
/// lowercase strings, some Capitalised or UPPER on output, between separators that are spaces,
/// punctuation, digits, tabs or UTF-8 dashes.
///
/// Everything is integer math (Random123 Philox draws, fixed-point Zipf weights, an integer alias
/// table): no std:: distribution and no libm call, whose results may differ between machines.
class zipf_corpus {
 public:
  static constexpr std::uint64_t block_bytes = std::uint64_t{1} << 20U;
  static constexpr std::uint64_t max_vocabulary = 10'000'000;

  /// Builds the vocabulary and the sampler: about 0.3 s per 10^6 words, 40 bytes a word. Throws
  /// std::invalid_argument for a vocabulary of 0 or above max_vocabulary, or an exponent that is
  /// not finite and > 0.
  explicit zipf_corpus(const corpus_options& options);

  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::uint64_t block_count() const noexcept;
  /// Appends block `id` (< block_count()) to `out`.
  void append_block(std::uint64_t id, std::string& out) const;

  [[nodiscard]] std::uint64_t vocabulary() const noexcept { return offsets_.size() - 1; }
  /// The `rank`-th most likely word (0-based), lowercase ASCII letters, 1 to 12 of them.
  [[nodiscard]] std::string_view word(std::uint64_t rank) const noexcept {
    return std::string_view(letters_).substr(offsets_[rank], offsets_[rank + 1] - offsets_[rank]);
  }

 private:
  class block_writer;

  void build_vocabulary(std::uint64_t size);
  void build_sampler(std::uint64_t size, double exponent);

  std::uint64_t bytes_ = 0;
  std::uint64_t seed_ = 0;
  std::string letters_;                 // all words, concatenated
  std::vector<std::uint32_t> offsets_;  // word i is letters_[offsets_[i], offsets_[i + 1])
  // Alias table (Walker/Vose): bucket j yields word j when a 64-bit draw is below threshold_[j],
  // else word alias_[j].
  std::vector<std::uint64_t> threshold_;
  std::vector<std::uint32_t> alias_;
};

}  // namespace wordcount
