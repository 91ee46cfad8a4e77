// mpimr-test: RANKS 2 TIMEOUT 300
// A reduction of more than 2^31 elements (MPI's int count limit) through the real 2^30-element
// pieces: 2 GiB of bytes per rank, so it runs at 2 ranks only (at 1 rank the same pieces would
// cross no rank).
#include <gtest/gtest.h>

#include <cstdint>
#include <mpimr/detail/builtin_ops.hpp>
#include <mpimr/detail/byte_transport.hpp>
#include <mpimr/mpimr.hpp>
#include <vector>

namespace {

TEST(large_counts_test, AllreduceAboveTwoToThe31Elements) {
  mpimr::context ctx;
  const std::uint64_t n = (std::uint64_t{1} << 31U) + 17;
  std::vector<std::uint8_t> values(n, 1);
  values[n - 1] = static_cast<std::uint8_t>(ctx.rank() + 2);
  mpimr::detail::allreduce_in_place(ctx.communicator(), values.data(), n,
                                    mpimr::detail::mpi_datatype<std::uint8_t>(), 1, MPI_SUM);
  const auto p = static_cast<std::uint64_t>(ctx.size());
  EXPECT_EQ(values[0], p);
  EXPECT_EQ(values[(std::uint64_t{1} << 30U) + 3], p);
  EXPECT_EQ(values[n - 2], p);
  EXPECT_EQ(values[n - 1], p * (p + 3) / 2);  // sum of (rank + 2)
}

}  // namespace
