// A sum of doubles whose bits do not depend on the order of its terms, so that PageRank's L1 change
// and dangling rank come out alike whatever the chunk size, schedule or rank count.
#pragma once

#include <cstdint>

namespace pagerank_app {

/// Each term is cut (toward zero) to a multiple of 2^-112 and added as a 128-bit integer; integer
/// addition is exact, hence associative, so partial sums may be joined in any order. Terms must
/// lie within +-2^7 and the total within +-2^14 (PageRank's sums stay within [0, 2]); a term below
/// 2^-112 in size counts as 0, so the total is within n * 2^-112 of the exact one, far closer
/// than a double sum of n terms. Trivially copyable: it travels as its bytes.
class exact_sum {
 public:
  void add(double term) noexcept {
    // Two exact steps of 56 bits each: trunc() of a double and the remaining fraction are exact.
    const double high = term * 0x1p56;
    const auto high_part = static_cast<std::int64_t>(high);
    const auto low_part =
        static_cast<std::int64_t>((high - static_cast<double>(high_part)) * 0x1p56);
    fixed_ += static_cast<wide>(high_part) * (wide{1} << 56) + low_part;
  }
  exact_sum& operator+=(const exact_sum& other) noexcept {
    fixed_ += other.fixed_;
    return *this;
  }
  /// The total, rounded to the nearest double.
  [[nodiscard]] double value() const noexcept { return static_cast<double>(fixed_) * 0x1p-112; }

 private:
  __extension__ using wide = __int128;  // g++ and clang; __extension__ keeps -Wpedantic quiet
  wide fixed_ = 0;
};

}  // namespace pagerank_app
