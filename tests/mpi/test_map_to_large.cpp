// mpimr-test: RANKS 2 TIMEOUT 300
// mpimr::map_to of more than 2^31 results (MPI's int count limit) in one call: 2 GiB of bytes on
// the root and half of that on the other rank, so it runs at 2 ranks only (at 1 rank no message
// crosses ranks, and the count limit is what this tests).
#include <gtest/gtest.h>

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <vector>

namespace {

TEST(map_to_large_test, MoreThanTwoToThe31Results) {
  mpimr::context ctx;
  const std::uint64_t n = (std::uint64_t{1} << 31U) + 17;
  // The byte depends on bits above 2^31, so a position off by 2^31 would show.
  auto byte_of = [](std::uint64_t i) { return static_cast<std::uint8_t>(i ^ (i >> 31U) * 101); };
  const int root = ctx.size() - 1;
  const std::vector<std::uint8_t> got = mpimr::map_to(ctx, root, mpimr::index_range{0, n}, byte_of,
                                                      {.schedule = mpimr::schedule::static_blocks});
  if (ctx.rank() != root) {
    EXPECT_TRUE(got.empty());
    return;
  }
  ASSERT_EQ(got.size(), n);
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 0; i < n; ++i) wrong += got[i] != byte_of(i);
  EXPECT_EQ(wrong, 0U);
}

}  // namespace
