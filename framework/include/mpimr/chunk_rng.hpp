// Counter-based random numbers keyed by chunk, so Monte Carlo results do not depend on which rank
// ran which chunk, nor on how many ranks there were.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstdint>
#include <limits>

#include "mpimr/index_range.hpp"

namespace mpimr {

/// A UniformRandomBitGenerator (usable with <random> distributions) whose stream is Philox4x64-10
/// (Random123) keyed by (seed, chunk id). `stream` selects further independent streams per chunk.
class chunk_rng {
 public:
  using result_type = std::uint64_t;

  chunk_rng(std::uint64_t seed, const chunk& c, std::uint64_t stream = 0) noexcept
      : key_{{seed, c.id}}, counter_{{0, stream, 0, 0}} {}

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  result_type operator()() noexcept {
    if (next_ == block_.size()) refill();
    return block_[next_++];
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11U) * 0x1.0p-53; }

 private:
  using philox = r123::Philox4x64;

  void refill() noexcept {
    const philox::ctr_type out = philox{}(counter_, key_);
    for (std::size_t i = 0; i < block_.size(); ++i) block_[i] = out.v[i];
    ++counter_.v[0];
    next_ = 0;
  }

  philox::key_type key_;
  philox::ctr_type counter_;
  std::array<std::uint64_t, 4> block_{};
  std::size_t next_ = 4;
};

}  // namespace mpimr
