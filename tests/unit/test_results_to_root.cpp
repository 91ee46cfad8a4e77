// Unit tests of map_to's batches (detail/results_to_root.hpp): whatever the batch size, the batches
// of a rank's results stay within it (plus one record header and one result), and the root puts
// every result back in its place.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mpimr/detail/results_to_root.hpp"
#include "mpimr/errors.hpp"

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::pending_results;
using mpimr::detail::take_results;

constexpr std::uint64_t record_header = 16;  // position and count

// A rank's chunks: (first position, count) in the order it ran them, not in index order.
const std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks{
    {40, 7}, {47, 5}, {0, 13}, {90, 1}, {13, 27}, {52, 38}, {91, 9}};
constexpr std::uint64_t total = 100;

// Pushes every chunk's results of `fn`, pulls them back in batches of `batch_bytes`, checks each
// batch's size and that the root's vector equals fn at every position.
template <class R, class Fn>
void round_trip(Fn fn, std::uint64_t batch_bytes, std::uint64_t largest_result) {
  pending_results<R> pending;
  for (const auto& [first, count] : chunks) {
    for (std::uint64_t i = first; i < first + count; ++i) pending.push(fn(i));
    pending.add_run(first, count);
  }
  std::vector<R> results(total);
  bool done = false;
  int batches = 0;
  while (!done) {
    byte_buffer batch;
    done = pending.fill(batch, batch_bytes);
    ASSERT_LT(batch.size(), batch_bytes + record_header + largest_result) << "batch " << batches;
    take_results(batch, results);
    ++batches;
    ASSERT_LT(batches, 10000) << "no progress";
  }
  for (std::uint64_t i = 0; i < total; ++i) {
    EXPECT_TRUE(results[i] == fn(i)) << i;
  }
  if (batch_bytes == 1) {
    EXPECT_EQ(batches, static_cast<int>(total));  // one result a batch
  }
}

TEST(results_to_root, RawResultsAtEveryBatchSize) {
  auto fn = [](std::uint64_t i) { return static_cast<double>(i) * 1.5 - 7.0; };
  for (std::uint64_t batch_bytes : {1, 8, 23, 24, 25, 100, 1000, 1 << 20}) {
    round_trip<double>(fn, batch_bytes, sizeof(double) + 1);
  }
}

TEST(results_to_root, EncodedResultsAtEveryBatchSize) {
  auto fn = [](std::uint64_t i) { return std::string(i % 9, 'q') + std::to_string(i); };
  for (std::uint64_t batch_bytes : {1, 10, 31, 100, 1000, 1 << 20}) {
    round_trip<std::string>(fn, batch_bytes, 8 + 8 + 3);  // length prefix, 8 q's, 3 digits
  }
  auto odd = [](std::uint64_t i) { return i % 3 == 0; };
  for (std::uint64_t batch_bytes : {1, 17, 1 << 20}) {
    round_trip<bool>(odd, batch_bytes, 2);
  }
}

TEST(results_to_root, NothingToSend) {
  pending_results<int> pending;
  byte_buffer batch;
  EXPECT_TRUE(pending.fill(batch, 1));
  EXPECT_TRUE(batch.empty());
}

TEST(results_to_root, PositionsOutsideTheRangeAreRejected) {
  pending_results<int> pending;
  for (int i = 0; i < 5; ++i) pending.push(int{i});
  pending.add_run(8, 5);
  byte_buffer batch;
  ASSERT_TRUE(pending.fill(batch, 1 << 20));
  std::vector<int> results(10);
  EXPECT_THROW(take_results(batch, results), mpimr::error);
  byte_buffer truncated(batch.begin(), batch.end() - 1);
  std::vector<int> enough(20);
  EXPECT_THROW(take_results(truncated, enough), mpimr::error);
}

}  // namespace
