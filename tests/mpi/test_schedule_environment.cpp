// MPIMR_SCHEDULE: "NAME[,CHUNK]" sets the schedule and chunk size of every operation that leaves
// them open (automatic, 0); what the code sets wins; a bad value fails every rank alike, naming it.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mpimr/mpimr.hpp>
#include <string>
#include <vector>

namespace {

using mpimr::chunk;
using mpimr::index_range;

/// Sets MPIMR_SCHEDULE on every rank for one test and restores it afterwards.
class schedule_variable {
 public:
  explicit schedule_variable(const char* value) {
    if (const char* old = std::getenv("MPIMR_SCHEDULE")) saved_ = old;
    setenv("MPIMR_SCHEDULE", value, 1);
  }
  ~schedule_variable() {
    if (saved_.empty()) {
      unsetenv("MPIMR_SCHEDULE");
    } else {
      setenv("MPIMR_SCHEDULE", saved_.c_str(), 1);
    }
  }

 private:
  std::string saved_;
};

/// The chunks this rank ran in one reduce over [0, 100), and that reduce's sum.
struct observed {
  std::vector<chunk> chunks;
  std::uint64_t sum = 0;
};

class schedule_environment_test : public ::testing::Test {
 protected:
  mpimr::context ctx;

  observed run(const mpimr::options& opts = {}) {
    observed seen;
    seen.sum = mpimr::reduce(
        ctx, index_range{0, 100}, std::uint64_t{0},
        [&](const chunk& c) {
          seen.chunks.push_back(c);
          std::uint64_t s = 0;
          for (auto i : c.indices()) s += i;
          return s;
        },
        std::plus<>{}, opts);
    return seen;
  }

  std::uint64_t total(std::uint64_t value) {
    MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_SUM, ctx.communicator());
    return value;
  }
};

TEST_F(schedule_environment_test, StaticWithAChunkSizeAppliesToOperationsThatLeaveThemOpen) {
  const schedule_variable env("static,7");
  const observed seen = run();
  EXPECT_EQ(seen.sum, 4950U);
  // 100 indices in chunks of 7: 14 whole chunks and one of 2.
  EXPECT_EQ(total(seen.chunks.size()), 15U);
  for (const chunk& c : seen.chunks) EXPECT_EQ(c.size(), c.begin == 98 ? 2U : 7U) << c.begin;
  // Static blocks: each rank's chunk ids are one contiguous run.
  if (!seen.chunks.empty()) {
    std::uint64_t lo = seen.chunks.front().id;
    std::uint64_t hi = lo;
    for (const chunk& c : seen.chunks) {
      lo = std::min(lo, c.id);
      hi = std::max(hi, c.id);
    }
    EXPECT_EQ(hi - lo + 1, seen.chunks.size());
  }
}

TEST_F(schedule_environment_test, TheCodesSettingsWin) {
  const schedule_variable env("static,7");
  const observed seen = run({.schedule = mpimr::schedule::dynamic, .chunk_size = 5});
  EXPECT_EQ(seen.sum, 4950U);
  EXPECT_EQ(total(seen.chunks.size()), 20U);
  for (const chunk& c : seen.chunks) EXPECT_EQ(c.size(), 5U);
  // A schedule in the code still takes the variable's chunk size when the code leaves it open.
  const observed open_size = run({.schedule = mpimr::schedule::guided});
  EXPECT_EQ(open_size.sum, 4950U);
  EXPECT_EQ(total(open_size.chunks.size()), 15U);
}

TEST_F(schedule_environment_test, ANameAloneKeepsTheDefaultChunkSize) {
  const observed plain = run();
  for (const char* value : {"dynamic", "guided", "auto", "static"}) {
    const schedule_variable env(value);
    const observed seen = run();
    EXPECT_EQ(seen.sum, 4950U) << value;
    EXPECT_EQ(total(seen.chunks.size()), total(plain.chunks.size())) << value;
  }
}

TEST_F(schedule_environment_test, BadValuesFailEveryRankNamingThem) {
  for (const char* value : {"fast", "static,0", "static,x", "static,", ",7", "static,7,8",
                            "dynamic,-3", "Dynamic", "static,99999999999999999999999"}) {
    const schedule_variable env(value);
    try {
      (void)run();
      ADD_FAILURE() << "no exception for " << value;
    } catch (const mpimr::invalid_argument& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(std::string("MPIMR_SCHEDULE='") + value + "'"), std::string::npos)
          << message;
    }
  }
  // Settings in the code need nothing from the variable: a bad value is not read.
  const schedule_variable env("fast");
  EXPECT_EQ(run({.schedule = mpimr::schedule::dynamic, .chunk_size = 10}).sum, 4950U);
}

TEST_F(schedule_environment_test, RanksThatReadDifferentSchedulesFailTogether) {
  if (ctx.size() == 1) GTEST_SKIP() << "needs two ranks";
  // Rank 0 takes its static block while the others take every chunk from the dynamic counter: some
  // chunks run twice. No rank may return that sum.
  const schedule_variable env(ctx.rank() == 0 ? "static" : "dynamic");
  try {
    (void)run();
    ADD_FAILURE() << "no exception";
  } catch (const mpimr::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("schedules"), std::string::npos) << e.what();
  }
}

}  // namespace
