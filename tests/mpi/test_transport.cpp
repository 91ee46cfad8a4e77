// Byte transport: messages and reductions longer than one MPI call can count are split and
// reassembled exactly (small piece sizes stand in for MPI's 2^31 limit), and the ordered tree
// reduction keeps rank order.
#include <gtest/gtest.h>

#include <cstdint>
#include <mpimr/detail/byte_transport.hpp>
#include <mpimr/mpimr.hpp>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace {

using mpimr::detail::byte_buffer;

byte_buffer pattern(std::size_t n, int salt) {
  byte_buffer b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::byte>((i * 31 + static_cast<std::size_t>(salt)) & 0xffU);
  return b;
}

class transport_test : public ::testing::Test {
 protected:
  mpimr::context ctx;
  MPI_Comm comm() const { return ctx.communicator(); }
};

TEST_F(transport_test, PointToPointSplitsIntoPieces) {
  const int next = (ctx.rank() + 1) % ctx.size();
  const int previous = (ctx.rank() + ctx.size() - 1) % ctx.size();
  for (std::size_t n : {0, 1, 7, 8, 1000, 4099}) {
    const byte_buffer mine = pattern(n, ctx.rank());
    if (ctx.rank() % 2 == 0) {
      mpimr::detail::send_bytes(comm(), next, 500, mine, 8);
      EXPECT_EQ(mpimr::detail::recv_bytes(comm(), previous, 500, 8), pattern(n, previous));
    } else {
      const byte_buffer got = mpimr::detail::recv_bytes(comm(), previous, 500, 8);
      mpimr::detail::send_bytes(comm(), next, 500, mine, 8);
      EXPECT_EQ(got, pattern(n, previous));
    }
  }
}

TEST_F(transport_test, BroadcastSplitsIntoPieces) {
  for (int root = 0; root < ctx.size(); ++root) {
    byte_buffer data = ctx.rank() == root ? pattern(1003, root) : byte_buffer{};
    mpimr::detail::bcast_bytes(comm(), root, data, 10);
    EXPECT_EQ(data, pattern(1003, root));
  }
}

TEST_F(transport_test, AllreduceSplitsIntoPieces) {
  std::vector<std::int64_t> values(1001);
  std::iota(values.begin(), values.end(), ctx.rank());
  mpimr::detail::allreduce_in_place(comm(), values.data(), values.size(), MPI_INT64_T,
                                    sizeof(std::int64_t), MPI_SUM, 64);
  const std::int64_t p = ctx.size();
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(values[i], p * static_cast<std::int64_t>(i) + p * (p - 1) / 2) << i;
  }
}

TEST_F(transport_test, AllgatherKeepsRankOrder) {
  const auto all = mpimr::detail::allgather_bytes(
      comm(), pattern(static_cast<std::size_t>(ctx.rank()) * 5 + 1, ctx.rank()));
  ASSERT_EQ(all.size(), static_cast<std::size_t>(ctx.size()));
  for (int r = 0; r < ctx.size(); ++r)
    EXPECT_EQ(all[static_cast<std::size_t>(r)], pattern(static_cast<std::size_t>(r) * 5 + 1, r));
}

// Rank s sends rank d a buffer whose length and bytes depend on (s, d), some of them empty.
std::size_t exchange_length(int source, int dest) {
  return static_cast<std::size_t>((source * 7 + dest * 13) % 5) * 37;
}

TEST_F(transport_test, AllToAllDeliversEveryPairBothWays) {
  // The defaults take MPI_Alltoallv; a 100-byte int limit with 16-byte pieces forces the split
  // point-to-point path on the same data.
  for (const auto& [int_limit, piece] :
       {std::pair<std::uint64_t, std::uint64_t>{INT32_MAX, 1U << 30U},
        std::pair<std::uint64_t, std::uint64_t>{100, 16}}) {
    std::vector<byte_buffer> outgoing;
    for (int d = 0; d < ctx.size(); ++d) {
      outgoing.push_back(pattern(exchange_length(ctx.rank(), d), ctx.rank() * 100 + d));
    }
    const auto incoming = mpimr::detail::alltoall_bytes(comm(), outgoing, int_limit, piece);
    ASSERT_EQ(incoming.size(), static_cast<std::size_t>(ctx.size()));
    for (int s = 0; s < ctx.size(); ++s) {
      EXPECT_EQ(incoming[static_cast<std::size_t>(s)],
                pattern(exchange_length(s, ctx.rank()), s * 100 + ctx.rank()))
          << "from rank " << s << " with int limit " << int_limit;
    }
  }
}

TEST_F(transport_test, AllToAllRejectsAWrongBufferCount) {
  std::vector<byte_buffer> too_many(static_cast<std::size_t>(ctx.size()) + 1);
  EXPECT_THROW((void)mpimr::detail::alltoall_bytes(comm(), too_many), mpimr::invalid_argument);
}

TEST_F(transport_test, OrderedTreeReductionKeepsRankOrder) {
  // append, not "<" + std::to_string(...): g++ 12 at -O3 warns falsely (-Wrestrict) on that.
  auto tag = [](int r) { return std::string("<").append(std::to_string(r)).append(">"); };
  const std::string mine = tag(ctx.rank());
  const auto joined = mpimr::detail::ordered_allreduce_bytes(
      comm(), mpimr::detail::to_bytes(mine), [](byte_buffer&& left, byte_buffer&& right) {
        return mpimr::detail::to_bytes(mpimr::detail::from_bytes<std::string>(left) +
                                       mpimr::detail::from_bytes<std::string>(right));
      });
  std::string expected;
  for (int r = 0; r < ctx.size(); ++r) expected += tag(r);
  EXPECT_EQ(mpimr::detail::from_bytes<std::string>(joined), expected);
}

TEST_F(transport_test, OrderedTreeReductionCarriesValuesAcrossTheFrameSize) {
  // Tree messages and the final broadcast carry up to 4 KiB inline, the rest in further pieces:
  // values below, at and above that size, on every rank or only on some, must arrive whole.
  for (const std::size_t length : {0, 1, 4063, 4075, 4076, 4077, 4090, 9000, 300'000}) {
    const std::size_t own = ctx.rank() % 2 == 0 ? length : length / 3;
    const std::string mine(own, static_cast<char>('a' + ctx.rank()));
    const auto joined = mpimr::detail::ordered_allreduce_bytes(
        comm(), mpimr::detail::to_bytes(mine), [](byte_buffer&& left, byte_buffer&& right) {
          return mpimr::detail::to_bytes(mpimr::detail::from_bytes<std::string>(left) +
                                         mpimr::detail::from_bytes<std::string>(right));
        });
    std::string expected;
    for (int r = 0; r < ctx.size(); ++r) {
      expected.append(r % 2 == 0 ? length : length / 3, static_cast<char>('a' + r));
    }
    ASSERT_EQ(mpimr::detail::from_bytes<std::string>(joined), expected) << "length " << length;
  }
}

}  // namespace
