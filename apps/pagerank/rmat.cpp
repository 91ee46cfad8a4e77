// R-MAT generation (see rmat.hpp).
#include "rmat.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <mpimr/chunk_rng.hpp>

namespace pagerank_app {
namespace {

// Edges per random stream: edge e draws from the stream of block e / edges_per_stream, at a fixed
// offset, so edge e is the same however the edges are split into work.
constexpr std::uint64_t edges_per_stream = 1024;
constexpr std::uint64_t edge_stream = 0;
constexpr std::uint64_t label_stream = 1;

constexpr std::uint64_t threshold(double p) {
  return static_cast<std::uint64_t>(p * 4294967296.0);  // p * 2^32, exact in double
}
constexpr std::uint64_t below_b = threshold(rmat_a);                    // quadrant a: src 0, dst 0
constexpr std::uint64_t below_c = threshold(rmat_a + rmat_b);           // quadrant b: src 0, dst 1
constexpr std::uint64_t below_d = threshold(rmat_a + rmat_b + rmat_c);  // quadrant c: src 1, dst 0

/// A bijection of [0, 2^scale): multiplications by odd constants and additions modulo 2^scale, and
/// xor-shifts to the right, each invertible on scale-bit numbers.
class relabelling {
 public:
  relabelling(unsigned scale, std::uint64_t seed)
      : mask_(scale == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << scale) - 1),
        shift_((scale + 1) / 2) {
    mpimr::chunk_rng rng(seed, mpimr::chunk{0, 0, 0}, label_stream);
    add1_ = rng();
    add2_ = rng();
  }
  [[nodiscard]] std::uint64_t operator()(std::uint64_t v) const noexcept {
    v = (v * 0x9e3779b97f4a7c15U + add1_) & mask_;
    v ^= v >> shift_;
    v = (v * 0xbf58476d1ce4e5b9U + add2_) & mask_;
    v ^= v >> shift_;
    return v;
  }

 private:
  std::uint64_t mask_;
  unsigned shift_;
  std::uint64_t add1_ = 0;
  std::uint64_t add2_ = 0;
};

}  // namespace

std::vector<edge> generate_rmat(unsigned scale, std::uint64_t edge_factor, std::uint64_t seed) {
  const std::uint64_t count = edge_factor << scale;
  const relabelling label(scale, seed);
  std::vector<edge> edges(count);
  for (std::uint64_t block = 0; block * edges_per_stream < count; ++block) {
    const std::uint64_t begin = block * edges_per_stream;
    const std::uint64_t end = std::min(count, begin + edges_per_stream);
    mpimr::chunk_rng rng(seed, mpimr::chunk{block, begin, end}, edge_stream);
    for (std::uint64_t e = begin; e < end; ++e) {
      std::uint64_t src = 0;
      std::uint64_t dst = 0;
      std::uint64_t bits = 0;
      for (unsigned level = 0; level < scale; ++level) {
        // Two levels per 64-bit draw; each edge starts on a fresh draw.
        if (level % 2 == 0) bits = rng();
        const std::uint64_t r = bits & 0xffffffffU;
        bits >>= 32U;
        const std::uint64_t to_c = r >= below_c ? 1 : 0;
        const std::uint64_t to_b_or_d = (r >= below_b && r < below_c) || r >= below_d ? 1 : 0;
        src = (src << 1U) | to_c;
        dst = (dst << 1U) | to_b_or_d;
      }
      edges[e] = {label(src), label(dst)};
    }
  }
  return edges;
}

std::vector<std::string> rmat_comment(unsigned scale, std::uint64_t edge_factor,
                                      std::uint64_t seed) {
  return {fmt::format("R-MAT graph: scale {}, edge factor {}, seed {}: {} edges (duplicates and "
                      "self-loops kept) among ids below {}",
                      scale, edge_factor, seed, edge_factor << scale, std::uint64_t{1} << scale),
          fmt::format("quadrant probabilities a {} b {} c {} (d the rest); ids relabelled by a "
                      "bijection",
                      rmat_a, rmat_b, rmat_c),
          "src\tdst"};
}

}  // namespace pagerank_app
