// The key-value shuffle that runs during the map phase: every key ends on exactly the rank its
// partition names, combined over all ranks' values, equal to a serial count, for budgets so small
// that every emit sends a batch, every schedule and both dispensers (also registered with
// --mpimr-thread-level=funneled, where rank 0 hands out chunks between its own: see
// tests/CMakeLists.txt); a custom partitioner; failures in combine or partitioner on one rank.
// mpimr-test: TIMEOUT 240
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <mpimr/mpimr.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using mpimr::index_range;
using mpimr::schedule;

// Word i of a deterministic text with a skewed vocabulary: small numbers are frequent.
std::string word(std::uint64_t i) {
  const std::uint64_t x = (i * 2654435761U) % 1000;
  return std::string("w").append(std::to_string(x * x / 1000));
}

// Every rank's local part, gathered on every rank; a key held twice or by a rank the partition
// does not name fails the test.
template <class K, class V, class Partition>
std::map<K, V> gather_checked(const mpimr::context& ctx, const mpimr::distributed_map<K, V>& map,
                              Partition partition) {
  mpimr::detail::byte_buffer mine;
  mpimr::detail::byte_writer writer(mine);
  for (const auto& [key, value] : map) {
    EXPECT_EQ(partition(key, ctx.size()), ctx.rank()) << key;
    mpimr::detail::encode(writer, key);
    mpimr::detail::encode(writer, value);
  }
  std::map<K, V> all;
  for (const auto& from : mpimr::detail::allgather_bytes(ctx.communicator(), mine)) {
    mpimr::detail::for_each_record<K, V>(from, [&](K&& k, V&& v) {
      EXPECT_EQ(all.count(k), 0U) << k << " held by two ranks";
      all[k] = v;
    });
  }
  return all;
}

// Runs each test body once per dispenser; the variable is read when a context is made.
class shuffle_test : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { setenv("MPIMR_DISPENSER", GetParam(), 1); }
  void TearDown() override { unsetenv("MPIMR_DISPENSER"); }
};

TEST_P(shuffle_test, CountsEqualSerialCountForAnyBudgetAndSchedule) {
  mpimr::context ctx;
  const std::uint64_t n = 20000;
  std::map<std::string, std::uint64_t> reference;
  for (std::uint64_t i = 0; i < n; ++i) reference[word(i)] += 1;
  for (schedule s :
       {schedule::static_blocks, schedule::dynamic, schedule::guided, schedule::adaptive}) {
    // 1: every emit outgrows the table; 3000: a few dozen batches; 0: the default, one batch.
    for (std::uint64_t budget : {1ULL, 3000ULL, 0ULL}) {
      const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
          ctx, index_range{0, n}, [](std::uint64_t i, const auto& emit) { emit(word(i), 1); },
          std::plus<>{}, {.schedule = s, .chunk_size = 37, .shuffle_buffer_bytes = budget});
      EXPECT_EQ(gather_checked(ctx, counts, mpimr::hash_partition{}), reference)
          << to_string(s) << ", budget " << budget;
    }
  }
}

TEST_P(shuffle_test, RanksThatSendWhileOthersComputeLongChunks) {
  // Some of rank 0's chunks are slow and emit several tables' worth of pairs, so rank 0 sends
  // batches to the others and then waits for them to take the batches (~10 KiB per owner, past
  // Open MPI's 4 KiB eager limit in shared memory) while they wait for rank 0: for their next
  // chunk when it serves them between its own (funneled, service dispenser), or for rank 0 to
  // take their own batches. Every waiting rank must keep serving, or all wait forever.
  mpimr::context ctx;
  const std::uint64_t n = 160;
  auto pairs_of = [](std::uint64_t i) -> std::uint64_t { return i % 8 == 0 ? 5000 : 100; };
  std::map<std::uint64_t, std::uint64_t> reference;
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::uint64_t j = 0; j < pairs_of(i); ++j) reference[(i * 8000 + j) % 300007] += i;
  }
  const auto sums = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
      ctx, index_range{0, n},
      [&](std::uint64_t i, const auto& emit) {
        if (ctx.rank() == 0 && i % 8 == 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        for (std::uint64_t j = 0; j < pairs_of(i); ++j) emit((i * 8000 + j) % 300007, i);
      },
      std::plus<>{},
      {.schedule = schedule::dynamic, .chunk_size = 1, .shuffle_buffer_bytes = 256 << 10});
  EXPECT_EQ(gather_checked(ctx, sums, mpimr::hash_partition{}), reference);
}

TEST_P(shuffle_test, RangePartitionerPutsKeysInRankOrder) {
  mpimr::context ctx;
  const std::uint64_t keys = 1000;
  // Key k goes to rank k * ranks / keys: rank r holds a contiguous range, ranks in key order.
  auto by_range = [keys](const std::uint64_t& key, int ranks) {
    return static_cast<int>(key * static_cast<std::uint64_t>(ranks) / keys);
  };
  std::map<std::uint64_t, double> reference;
  for (std::uint64_t i = 0; i < 5 * keys; ++i) reference[(i * 7) % keys] += 0.5;
  const auto halves = mpimr::map_reduce_by_key<std::uint64_t, double>(
      ctx, index_range{0, 5 * keys},
      [&](std::uint64_t i, const auto& emit) { emit((i * 7) % keys, 0.5); }, std::plus<>{},
      {.shuffle_buffer_bytes = 200}, by_range);
  EXPECT_EQ(gather_checked(ctx, halves, by_range), reference);
  std::uint64_t lowest = keys;
  std::uint64_t highest = 0;
  for (const auto& [key, value] : halves) {
    lowest = std::min(lowest, key);
    highest = std::max(highest, key);
  }
  const auto r = static_cast<std::uint64_t>(ctx.rank());
  const auto p = static_cast<std::uint64_t>(ctx.size());
  EXPECT_EQ(lowest, (r * keys + p - 1) / p);  // the first k with k * p / keys == r
  EXPECT_EQ(highest, ((r + 1) * keys + p - 1) / p - 1);
}

TEST_P(shuffle_test, PartitionerReturningABadRankFailsEveryRank) {
  mpimr::context ctx;
  const int bad = ctx.size();  // one past the last rank
  try {
    const auto result = mpimr::map_reduce_by_key<int, int>(
        ctx, index_range{0, 100}, [](std::uint64_t i, const auto& emit) { emit(int(i % 10), 1); },
        std::plus<>{}, {}, [bad](const int& key, int) { return key == 7 ? bad : 0; });
    ADD_FAILURE() << "no error";
  } catch (const mpimr::task_error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  std::string("the partitioner returned rank ").append(std::to_string(bad))),
              std::string::npos)
        << e.what();
  }
}

TEST_P(shuffle_test, ThrowingCombineFailsEveryRankAndLeavesTheContextUsable) {
  mpimr::context ctx;
  const int failing = ctx.size() - 1;
  auto combine = [&](std::uint64_t a, std::uint64_t b) -> std::uint64_t {
    if (ctx.rank() == failing) throw std::runtime_error("combine refused");
    return a + b;
  };
  for (std::uint64_t budget : {64ULL, 0ULL}) {
    try {
      // Each key is emitted once per rank, so combines run only where the values meet: on the
      // owner, as batches arrive (or in the table of a rank that is the owner itself).
      const auto result = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
          ctx, index_range{0, static_cast<std::uint64_t>(ctx.size())},
          [](std::uint64_t, const auto& emit) {
            for (int i = 0; i < 500; ++i) emit(std::string("k").append(std::to_string(i)), 1);
          },
          combine, {.schedule = schedule::static_blocks, .shuffle_buffer_bytes = budget});
      // With one rank every key arrives once: no combine runs, nothing throws.
      EXPECT_EQ(ctx.size(), 1);
    } catch (const mpimr::task_error& e) {
      EXPECT_EQ(e.rank(), failing);
      EXPECT_EQ(e.original_message(), "combine refused");
    }
    // Nothing of the failed exchange is left behind: the next operations see only their own data.
    const auto counts = mpimr::map_reduce_by_key<int, int>(
        ctx, index_range{0, 1000}, [](std::uint64_t i, const auto& emit) { emit(int(i % 3), 1); },
        std::plus<>{}, {.shuffle_buffer_bytes = 16});
    EXPECT_EQ(gather_checked(ctx, counts, mpimr::hash_partition{}),
              (std::map<int, int>{{0, 334}, {1, 333}, {2, 333}}));
  }
}

TEST_P(shuffle_test, CombineThrowingOnTheLastEmitsFailsEveryRank) {
  // Few emits, all of one key: the combine runs on values that waited in a lookup batch until
  // the end of the map phase, and must fail there, on every rank, as it would mid-run.
  mpimr::context ctx;
  for (std::uint64_t emits : {2ULL, 5ULL, 40ULL}) {
    try {
      const auto result = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
          ctx, index_range{0, emits}, [](std::uint64_t, const auto& emit) { emit("same", 1); },
          [](std::uint64_t, std::uint64_t) -> std::uint64_t {
            throw std::runtime_error("combine refused");
          },
          {.schedule = schedule::static_blocks});
      ADD_FAILURE() << "no error with " << emits << " emits";
    } catch (const mpimr::task_error& e) {
      EXPECT_EQ(e.original_message(), "combine refused");
    }
  }
}

TEST_P(shuffle_test, MapperThrowingOnOneRankWhileOthersSendFailsEveryRank) {
  mpimr::context ctx;
  const int failing = ctx.size() / 2;
  try {
    const auto result = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
        ctx, index_range{0, 2000},
        [&](std::uint64_t i, const auto& emit) {
          if (ctx.rank() == failing && i % 5 == 3) throw std::runtime_error("mapper refused");
          for (std::uint64_t j = 0; j < 20; ++j) emit(i * 20 + j, j);
        },
        std::plus<>{},
        {.schedule = schedule::static_blocks, .chunk_size = 1, .shuffle_buffer_bytes = 100});
    ADD_FAILURE() << "no error";
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.rank(), failing);
    EXPECT_EQ(e.original_message(), "mapper refused");
  }
  EXPECT_EQ(mpimr::reduce(
                ctx, index_range{0, 10}, 0,
                [](const mpimr::chunk& c) { return static_cast<int>(c.size()); }, std::plus<>{}),
            10);
}

INSTANTIATE_TEST_SUITE_P(dispensers, shuffle_test, ::testing::Values("node", "service"));

}  // namespace
