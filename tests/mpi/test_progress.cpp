// Progress on: operations give the same results as without it, on every path (success, a failing
// body, bad arguments, a key-value shuffle), at any rank count and without MPI_THREAD_MULTIPLE;
// MPIMR_PROGRESS is parsed or refused naming its text. The lines themselves are checked end to end
// by tests/apps/progress_test.py.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <stdexcept>
#include <string>

namespace {

using mpimr::chunk;
using mpimr::index_range;

/// Progress on, with lines as often as allowed, so the printing paths run too.
const mpimr::progress_settings frequent{.mode = mpimr::progress_mode::on, .interval_seconds = 0.01};

std::uint64_t sum_of(mpimr::context& ctx, const mpimr::options& opts) {
  return mpimr::reduce(
      ctx, index_range{0, 20000}, std::uint64_t{0},
      [](const chunk& c) {
        std::uint64_t s = 0;
        for (auto i : c.indices()) s += i;
        return s;
      },
      std::plus<>{}, opts);
}

TEST(progress_test, ResultsAreTheSameWithProgressOnEveryPath) {
  mpimr::context ctx;
  ctx.set_progress(frequent);
  ASSERT_TRUE(ctx.progress_shown());
  const std::uint64_t expected = 20000ULL * 19999ULL / 2;
  for (auto s : {mpimr::schedule::static_blocks, mpimr::schedule::dynamic, mpimr::schedule::guided,
                 mpimr::schedule::adaptive}) {
    EXPECT_EQ(sum_of(ctx, {.schedule = s, .chunk_size = 7, .label = "progress sum"}), expected);
  }
  // A failing body: every rank throws, and the next operation still runs.
  EXPECT_THROW(mpimr::for_each(ctx, index_range{0, 100},
                               [](std::uint64_t i) {
                                 if (i == 42) throw std::runtime_error("boom");
                               },
                               {.chunk_size = 3}),
               mpimr::task_error);
  // Bad arguments on one rank only.
  const std::uint64_t bad_size = ctx.rank() == ctx.size() - 1 ? (1ULL << 63U) + 1 : 5;
  EXPECT_THROW((void)sum_of(ctx, {.chunk_size = bad_size}), mpimr::invalid_argument);
  const auto counts = mpimr::map_reduce_by_key<std::uint64_t, std::uint64_t>(
      ctx, index_range{0, 3000}, [](std::uint64_t i, const auto& emit) { emit(i % 13, 1); },
      std::plus<>{}, {.chunk_size = 50});
  EXPECT_EQ(counts.size(), 13U);
  const auto values = mpimr::map(ctx, index_range{0, 777}, [](std::uint64_t i) { return 2 * i; });
  ASSERT_EQ(values.size(), 777U);
  for (std::uint64_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], 2 * i);
  ctx.set_progress({.mode = mpimr::progress_mode::off});
  EXPECT_FALSE(ctx.progress_shown());
  EXPECT_EQ(sum_of(ctx, {}), expected);
}

TEST(progress_test, TheEnvironmentSetsTheDefaultAndBadValuesAreRefused) {
  const char* old = std::getenv("MPIMR_PROGRESS");
  const std::string saved = old != nullptr ? old : "";
  setenv("MPIMR_PROGRESS", "on,0.5", 1);
  {
    mpimr::context ctx;
    EXPECT_TRUE(ctx.progress_shown());
    ctx.set_progress({.mode = mpimr::progress_mode::off});  // the code wins
    EXPECT_FALSE(ctx.progress_shown());
  }
  setenv("MPIMR_PROGRESS", "off", 1);
  {
    mpimr::context ctx;
    EXPECT_FALSE(ctx.progress_shown());
  }
  for (const char* bad : {"yes", "on,", "on,0", "on,x", "on,5s", ",5", "ON"}) {
    setenv("MPIMR_PROGRESS", bad, 1);
    try {
      mpimr::context ctx;
      ADD_FAILURE() << "no exception for " << bad;
    } catch (const mpimr::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("MPIMR_PROGRESS='") + bad + "'"),
                std::string::npos)
          << e.what();
    }
  }
  if (saved.empty()) {
    unsetenv("MPIMR_PROGRESS");
  } else {
    setenv("MPIMR_PROGRESS", saved.c_str(), 1);
  }
  mpimr::context ctx;
  EXPECT_THROW(ctx.set_progress({.mode = mpimr::progress_mode::on, .interval_seconds = -1}),
               mpimr::invalid_argument);
}

}  // namespace
