// Contexts: embedding in a code that already owns MPI, contexts on split communicators while the
// caller keeps using its own, and isolation of mpimr's messages from the caller's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <string>
#include <utility>

namespace {

using mpimr::chunk;
using mpimr::index_range;

std::uint64_t count_body(const chunk& c) { return c.size(); }

TEST(context_test, EnvironmentJoinsAnMpiTheHostAlreadyStarted) {
  // The test main called MPI_Init_thread: this is the embedding case, normal and not an error.
  mpimr::environment env;
  EXPECT_FALSE(env.owns_mpi());
  EXPECT_TRUE(env.thread_multiple());
}

TEST(context_test, RankAndSizeMatchTheCommunicator) {
  mpimr::context ctx;
  int rank = -1;
  int size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(ctx.rank(), rank);
  EXPECT_EQ(ctx.size(), size);
  EXPECT_EQ(ctx.node_count(), 1);
  EXPECT_EQ(ctx.node_size(), size);
  int compare = MPI_UNEQUAL;
  MPI_Comm_compare(ctx.communicator(), MPI_COMM_WORLD, &compare);
  EXPECT_EQ(compare, MPI_CONGRUENT) << "the context must work on a duplicate";
}

TEST(context_test, SplitCommunicatorWhileCallerUsesItsOwn) {
  int world_rank = 0;
  int world_size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  MPI_Comm half = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, world_rank % 2, world_rank, &half);
  int half_size = 0;
  MPI_Comm_size(half, &half_size);

  // The caller posts receives on its own communicator with mpimr's tag numbers and any source
  // before mpimr runs: if mpimr's messages leaked onto it, these would swallow them.
  std::vector<MPI_Request> requests;
  std::vector<int> received(4, -1);
  for (int tag = 101; tag <= 104; ++tag) {
    MPI_Request r = MPI_REQUEST_NULL;
    MPI_Irecv(&received[static_cast<std::size_t>(tag - 101)], 1, MPI_INT, MPI_ANY_SOURCE, tag, half,
              &r);
    requests.push_back(r);
  }

  {
    mpimr::context ctx{half};
    EXPECT_EQ(ctx.size(), half_size);
    for (auto s : {mpimr::schedule::static_blocks, mpimr::schedule::dynamic,
                   mpimr::schedule::guided, mpimr::schedule::adaptive}) {
      EXPECT_EQ(mpimr::reduce(ctx, index_range{0, 1000}, std::uint64_t{0}, count_body,
                              std::plus<>{}, {.schedule = s, .chunk_size = 3}),
                1000U);
      // A general join crosses ranks with point-to-point messages (tag 104 on mpimr's
      // communicator).
      EXPECT_EQ(mpimr::reduce(
                    ctx, index_range{0, 10}, std::string{},
                    [](const chunk& c) { return std::to_string(c.id); },
                    [](std::string a, const std::string& b) { return a + b; },
                    {.schedule = s, .chunk_size = 1, .deterministic = true}),
                "0123456789");
    }
  }

  int half_rank = 0;
  MPI_Comm_rank(half, &half_rank);
  const int next = (half_rank + 1) % half_size;
  for (int tag = 101; tag <= 104; ++tag) {
    const int value = 1000 * tag + half_rank;
    MPI_Send(&value, 1, MPI_INT, next, tag, half);
  }
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  const int previous = (half_rank + half_size - 1) % half_size;
  for (int tag = 101; tag <= 104; ++tag) {
    EXPECT_EQ(received[static_cast<std::size_t>(tag - 101)], 1000 * tag + previous);
  }
  MPI_Comm_free(&half);
}

TEST(context_test, SeveralContextsAndMoves) {
  mpimr::context first;
  mpimr::context second;
  EXPECT_EQ(mpimr::reduce(first, index_range{0, 50}, std::uint64_t{0}, count_body, std::plus<>{}),
            50U);
  EXPECT_EQ(mpimr::reduce(second, index_range{0, 60}, std::uint64_t{0}, count_body, std::plus<>{}),
            60U);
  mpimr::context moved = std::move(first);
  EXPECT_EQ(mpimr::reduce(moved, index_range{0, 70}, std::uint64_t{0}, count_body, std::plus<>{},
                          {.schedule = mpimr::schedule::dynamic}),
            70U);
  second = std::move(moved);
  EXPECT_EQ(mpimr::reduce(second, index_range{0, 80}, std::uint64_t{0}, count_body, std::plus<>{},
                          {.schedule = mpimr::schedule::guided}),
            80U);
}

TEST(context_test, NullCommunicatorIsRejected) {
  EXPECT_THROW(mpimr::context{MPI_COMM_NULL}, mpimr::invalid_argument);
}

/// The invalid_argument's message a context with this stall setting throws, or "" if none.
std::string stall_setting_error(double seconds, const char* environment) {
  if (environment != nullptr) {
    setenv("MPIMR_STALL_LIMIT", environment, 1);
  } else {
    unsetenv("MPIMR_STALL_LIMIT");
  }
  std::string message;
  try {
    mpimr::context ctx(MPI_COMM_WORLD, {.stall_limit_seconds = seconds});
    // With a limit set, operations run as before (the heartbeats travel on their own channel).
    EXPECT_EQ(mpimr::reduce(ctx, index_range{0, 500}, std::uint64_t{0}, count_body, std::plus<>{},
                            {.schedule = mpimr::schedule::dynamic, .chunk_size = 3}),
              500U);
  } catch (const mpimr::invalid_argument& e) {
    message = e.what();
  }
  unsetenv("MPIMR_STALL_LIMIT");
  return message;
}

TEST(context_test, StallLimitSettingsAreCheckedAndTheCodeWins) {
  EXPECT_EQ(stall_setting_error(-1, nullptr), "");
  EXPECT_EQ(stall_setting_error(30, nullptr), "");
  EXPECT_EQ(stall_setting_error(-1, "45.5"), "");
  EXPECT_EQ(stall_setting_error(-1, "0"), "");
  EXPECT_NE(stall_setting_error(-1, "ten").find("MPIMR_STALL_LIMIT='ten'"), std::string::npos);
  EXPECT_NE(stall_setting_error(-1, "-3").find("MPIMR_STALL_LIMIT='-3'"), std::string::npos);
  EXPECT_NE(stall_setting_error(-1, "5s").find("MPIMR_STALL_LIMIT='5s'"), std::string::npos);
  // A setting in code wins over a bad variable, which is then never read.
  EXPECT_EQ(stall_setting_error(20, "ten"), "");
  EXPECT_EQ(stall_setting_error(0, "ten"), "");
  EXPECT_NE(stall_setting_error(std::nan(""), nullptr).find("not a number"), std::string::npos);
}

}  // namespace
