// mpimr::map_to: the results on the root alone, in index order and equal to a serial loop, for
// every schedule, chunk size, root, batch size and result type; empty vectors elsewhere; a bad root
// or a throwing function fails every rank, and the context keeps working afterwards.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using mpimr::index_range;
using mpimr::schedule;

const std::vector<schedule> all_schedules{schedule::static_blocks, schedule::dynamic,
                                          schedule::guided, schedule::adaptive,
                                          schedule::automatic};

// Trivially copyable with padding inside: travels as raw bytes.
struct particle {
  double x = 0;
  std::int32_t id = 0;
  char tag = 0;
  bool operator==(const particle&) const = default;
};

class map_to_test : public ::testing::Test {
 protected:
  mpimr::context ctx;

  // The roots worth trying at this rank count: first, middle and last, without repeats.
  [[nodiscard]] std::vector<int> roots() const {
    std::vector<int> r{0};
    if (ctx.size() > 2) r.push_back(ctx.size() / 2);
    if (ctx.size() > 1) r.push_back(ctx.size() - 1);
    return r;
  }

  // Runs map_to with `batch_bytes` and checks the root's results against a serial loop of `fn`.
  template <class R, class Fn>
  void expect_serial(int root, index_range range, Fn fn, const mpimr::options& opts,
                     std::uint64_t batch_bytes, const std::string& what) {
    std::vector<R> expected;
    for (std::uint64_t i = range.begin; i < range.end; ++i) expected.push_back(fn(i));
    const std::vector<R> got =
        mpimr::detail::map_to_root<R>(ctx, root, range, fn, opts, batch_bytes);
    if (ctx.rank() == root) {
      EXPECT_TRUE(got == expected) << what << " root " << root;
    } else {
      EXPECT_TRUE(got.empty()) << what << " root " << root << ": " << got.size() << " results";
    }
  }

  void expect_context_still_works() {
    const auto squares = mpimr::map_to(ctx, 0, index_range{0, 50},
                                       [](std::uint64_t i) { return i * i; }, {.chunk_size = 3});
    if (ctx.rank() == 0) {
      ASSERT_EQ(squares.size(), 50U);
      for (std::uint64_t i = 0; i < 50; ++i) EXPECT_EQ(squares[i], i * i);
    }
  }
};

TEST_F(map_to_test, EverySchedule_ChunkSizeAndRoot) {
  auto wave = [](std::uint64_t i) { return std::sin(0.01 * static_cast<double>(i)) * i; };
  for (schedule s : all_schedules) {
    for (std::uint64_t chunk_size : {0, 1, 7, 1000, 5000}) {
      for (int root : roots()) {
        const std::string what = std::string(to_string(s)) + " chunk " + std::to_string(chunk_size);
        expect_serial<double>(root, index_range{5, 3005}, wave,
                              {.schedule = s, .chunk_size = chunk_size},
                              mpimr::detail::default_batch_bytes, what);
        // The public entry point too.
        const auto got = mpimr::map_to(ctx, root, index_range{5, 3005}, wave,
                                       {.schedule = s, .chunk_size = chunk_size});
        EXPECT_EQ(got.size(), ctx.rank() == root ? 3000U : 0U) << what;
        for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], wave(i + 5)) << what << i;
      }
    }
  }
}

// Batches of one byte hold one result each; other sizes cut runs and results at odd places.
TEST_F(map_to_test, SmallBatchesCutRunsAnywhere) {
  auto name = [](std::uint64_t i) { return std::string(i % 7, 'x') + std::to_string(i); };
  auto body = [](std::uint64_t i) {
    return particle{0.5 * static_cast<double>(i), static_cast<std::int32_t>(i), 'a'};
  };
  for (std::uint64_t batch_bytes : {1, 20, 100, 4096}) {
    for (schedule s : {schedule::static_blocks, schedule::dynamic}) {
      const std::string what =
          "batch " + std::to_string(batch_bytes) + " " + std::string(to_string(s));
      for (int root : roots()) {
        const mpimr::options opts{.schedule = s, .chunk_size = 13};
        expect_serial<std::uint32_t>(
            root, index_range{0, 777}, [](std::uint64_t i) { return std::uint32_t(i * 3 + 1); },
            opts, batch_bytes, what);
        expect_serial<std::string>(root, index_range{10, 611}, name, opts, batch_bytes, what);
        expect_serial<particle>(root, index_range{0, 400}, body, opts, batch_bytes, what);
      }
    }
  }
}

TEST_F(map_to_test, ResultTypes) {
  const mpimr::options opts{.schedule = schedule::guided, .chunk_size = 5};
  const std::uint64_t batch = 64;  // several batches per rank even for these small ranges
  for (int root : roots()) {
    expect_serial<std::array<double, 3>>(
        root, index_range{0, 301},
        [](std::uint64_t i) {
          const auto x = static_cast<double>(i);
          return std::array<double, 3>{x, x * x, -x};
        },
        opts, batch, "array");
    expect_serial<bool>(
        root, index_range{0, 203}, [](std::uint64_t i) { return i % 3 == 1; }, opts, batch, "bool");
    // A row of numbers per index, as apps/mandelbrot returns: its own codec, not raw.
    expect_serial<std::vector<std::uint32_t>>(
        root, index_range{0, 97},
        [](std::uint64_t i) { return std::vector<std::uint32_t>(i % 11, std::uint32_t(i)); }, opts,
        batch, "vector of numbers");
    // No codec of its own: Boost.Serialization.
    expect_serial<std::vector<std::string>>(
        root, index_range{0, 150},
        [](std::uint64_t i) { return std::vector<std::string>(i % 4, std::to_string(i * 7)); },
        opts, batch, "vector of strings");
  }
}

TEST_F(map_to_test, ItemsLikePoolMap) {
  std::vector<std::string> items;
  for (int i = 0; i < 57; ++i) items.push_back("item" + std::to_string(i));
  const int root = ctx.size() - 1;
  const auto lengths =
      mpimr::map_to(ctx, root, items, [](const std::string& s) { return s.size(); });
  const auto loud = mpimr::map_to(ctx, root, std::span<const std::string>(items),
                                  [](const std::string& s) { return s + "!"; },
                                  {.schedule = schedule::static_blocks, .chunk_size = 2});
  if (ctx.rank() != root) {
    EXPECT_TRUE(lengths.empty());
    EXPECT_TRUE(loud.empty());
    return;
  }
  ASSERT_EQ(lengths.size(), items.size());
  ASSERT_EQ(loud.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(lengths[i], items[i].size());
    EXPECT_EQ(loud[i], items[i] + "!");
  }
}

TEST_F(map_to_test, EmptyAndTinyRanges) {
  for (int root : roots()) {
    EXPECT_TRUE(
        mpimr::map_to(ctx, root, index_range{3, 3}, [](std::uint64_t i) { return i; }).empty());
    const std::vector<int> none;
    EXPECT_TRUE(mpimr::map_to(ctx, root, none, [](int x) { return x; }).empty());
    // One index: most ranks get no chunk at all.
    const auto one = mpimr::map_to(ctx, root, index_range{41, 42},
                                   [](std::uint64_t i) { return std::to_string(i + 1); },
                                   {.schedule = schedule::static_blocks});
    if (ctx.rank() == root) {
      ASSERT_EQ(one.size(), 1U);
      EXPECT_EQ(one[0], "42");
    } else {
      EXPECT_TRUE(one.empty());
    }
  }
}

TEST_F(map_to_test, BadRootThrowsEverywhere) {
  std::vector<int> bad{-1, ctx.size(), 1 << 30};
  for (int root : bad) {
    try {
      (void)mpimr::map_to(ctx, root, index_range{0, 10}, [](std::uint64_t i) { return i; });
      ADD_FAILURE() << "no exception for root " << root;
    } catch (const mpimr::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("map_to"), std::string::npos) << what;
      EXPECT_NE(what.find(std::to_string(root)), std::string::npos) << what;
    }
  }
  if (ctx.size() > 1) {
    // Ranks that disagree: rank 0 says 0, the others 1.
    try {
      (void)mpimr::map_to(ctx, ctx.rank() == 0 ? 0 : 1, index_range{0, 10},
                          [](std::uint64_t i) { return i; });
      ADD_FAILURE() << "no exception for different roots";
    } catch (const mpimr::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("different roots"), std::string::npos) << e.what();
    }
  }
  // A bad range is still reported as one.
  EXPECT_THROW((void)mpimr::map_to(ctx, 0, index_range{9, 2}, [](std::uint64_t i) { return i; }),
               mpimr::invalid_argument);
  expect_context_still_works();
}

TEST_F(map_to_test, ThrowingFunctionFailsEveryRank) {
  // The failing index sits in a chunk the chosen rank runs under static blocks (rank r takes the
  // r-th block of chunks): the last rank, and the root itself.
  for (int failing : {ctx.size() - 1, 0}) {
    for (int root : roots()) {
      const std::uint64_t n = 40 * static_cast<std::uint64_t>(ctx.size());
      const std::uint64_t bad_index = 40 * static_cast<std::uint64_t>(failing) + 17;
      try {
        (void)mpimr::map_to(ctx, root, index_range{0, n},
                            [&](std::uint64_t i) {
                              if (i == bad_index)
                                throw std::runtime_error("no result for " + std::to_string(i));
                              return std::to_string(i);
                            },
                            {.schedule = schedule::static_blocks, .chunk_size = 4});
        ADD_FAILURE() << "no exception, failing rank " << failing << " root " << root;
      } catch (const mpimr::task_error& e) {
        EXPECT_EQ(e.rank(), failing);
        EXPECT_EQ(e.chunk_id(), bad_index / 4);
        EXPECT_EQ(e.original_message(), "no result for " + std::to_string(bad_index));
      }
      expect_context_still_works();
    }
  }
}

}  // namespace
