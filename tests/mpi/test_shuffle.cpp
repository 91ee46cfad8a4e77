// The key-value shuffle: after shuffle_to_owners every key lives on exactly the rank that owns it,
// combined over all ranks' values, equal to a serial count; also with byte budgets so small that
// the shuffle takes many rounds, and with a combine that throws on one rank.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mpimr/detail/shuffle.hpp>
#include <mpimr/mpimr.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using mpimr::detail::byte_buffer;
using mpimr::detail::combining_table;

// Word i of a deterministic text with a skewed vocabulary: small numbers are frequent.
std::string word(std::uint64_t i) {
  const std::uint64_t x = (i * 2654435761U) % 1000;
  return std::string("w").append(std::to_string(x * x / 1000));
}

// Rank r emits the words with i % size == r: every rank holds a part of the text.
combining_table<std::string, std::uint64_t, std::plus<>> local_counts(const mpimr::context& ctx,
                                                                      std::uint64_t n) {
  combining_table<std::string, std::uint64_t, std::plus<>> table{std::plus<>{}};
  for (std::uint64_t i = static_cast<std::uint64_t>(ctx.rank()); i < n;
       i += static_cast<std::uint64_t>(ctx.size())) {
    table.emit(word(i), 1);
  }
  return table;
}

// Every rank's owned records, gathered on every rank, as one map; a key seen twice fails the test.
std::map<std::string, std::uint64_t> gather(
    const mpimr::context& ctx,
    const combining_table<std::string, std::uint64_t, std::plus<>>& owned) {
  byte_buffer mine;
  mpimr::detail::byte_writer writer(mine);
  owned.for_each([&](const std::string& k, std::uint64_t v) {
    EXPECT_EQ(mpimr::detail::owner_rank(mpimr::detail::stable_key_hash(k), ctx.size()), ctx.rank())
        << k;
    mpimr::detail::encode(writer, k);
    mpimr::detail::encode(writer, v);
  });
  std::map<std::string, std::uint64_t> all;
  for (const auto& from : mpimr::detail::allgather_bytes(ctx.communicator(), mine)) {
    mpimr::detail::for_each_record<std::string, std::uint64_t>(
        from, [&](std::string&& k, std::uint64_t&& v) {
          EXPECT_EQ(all.count(k), 0U) << k << " owned by two ranks";
          all[k] = v;
        });
  }
  return all;
}

TEST(shuffle_test, CountsEqualSerialCountForAnyBudget) {
  mpimr::context ctx;
  const std::uint64_t n = 20000;
  std::map<std::string, std::uint64_t> reference;
  for (std::uint64_t i = 0; i < n; ++i) reference[word(i)] += 1;
  for (std::uint64_t budget : {1ULL, 100ULL, 4096ULL, 1ULL << 40U}) {
    auto local = local_counts(ctx, n);
    combining_table<std::string, std::uint64_t, std::plus<>> owned{std::plus<>{}};
    mpimr::detail::shuffle_to_owners(ctx, local, owned, budget);
    EXPECT_TRUE(local.empty());
    EXPECT_EQ(gather(ctx, owned), reference) << "budget " << budget;
  }
}

TEST(shuffle_test, ThrowingCombineFailsEveryRank) {
  mpimr::context ctx;
  const int failing = ctx.size() - 1;
  auto combine = [&](std::uint64_t a, std::uint64_t b) -> std::uint64_t {
    if (ctx.rank() == failing) throw std::runtime_error("combine refused");
    return a + b;
  };
  combining_table<std::string, std::uint64_t, decltype(combine)> local{combine};
  // Distinct keys locally, so the combine first runs on arrival at the owner.
  for (int i = 0; i < 500; ++i)
    local.emit(
        std::string("k").append(std::to_string(i)).append("r").append(std::to_string(ctx.rank())),
        1);
  for (int i = 0; i < 500; ++i) local.emit(std::string("shared").append(std::to_string(i)), 1);
  combining_table<std::string, std::uint64_t, decltype(combine)> owned{combine};
  try {
    mpimr::detail::shuffle_to_owners(ctx, local, owned, 256);
    // With one rank every key arrives once: no combine runs, nothing throws.
    EXPECT_EQ(ctx.size(), 1);
  } catch (const mpimr::task_error& e) {
    EXPECT_EQ(e.rank(), failing);
    EXPECT_EQ(e.original_message(), "combine refused");
  }
  // The communicator is clean afterwards.
  EXPECT_EQ(mpimr::reduce(
                ctx, mpimr::index_range{0, 10}, 0,
                [](const mpimr::chunk& c) { return static_cast<int>(c.size()); }, std::plus<>{}),
            10);
}

}  // namespace
