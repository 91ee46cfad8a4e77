// Unit tests of mpimr's exceptions: task_error names the rank, the chunk and the original message,
// omits the chunk when there was none, and every exception is catchable as mpimr::error.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "mpimr/errors.hpp"
#include "unit_support.hpp"

namespace {

static_assert(std::is_base_of_v<std::runtime_error, mpimr::error>);
static_assert(std::is_base_of_v<mpimr::error, mpimr::invalid_argument>);
static_assert(std::is_base_of_v<mpimr::error, mpimr::task_error>);
static_assert(mpimr::task_error::no_chunk == UINT64_MAX);

TEST(TaskError, WhatNamesRankChunkAndMessage) {
  const std::string original = "division by zero in body";
  const mpimr::task_error e(731, 123456789012ULL, original);
  EXPECT_EQ(e.rank(), 731);
  EXPECT_EQ(e.chunk_id(), 123456789012ULL);
  EXPECT_EQ(e.original_message(), original);
  EXPECT_TRUE(mpimr_test::contains(e.what(), "731"));
  EXPECT_TRUE(mpimr_test::contains(e.what(), "123456789012"));
  EXPECT_TRUE(mpimr_test::contains(e.what(), original));
  EXPECT_TRUE(mpimr_test::contains(e.what(), "rank"));
  EXPECT_TRUE(mpimr_test::contains(e.what(), "chunk"));
}

TEST(TaskError, ChunkZeroAndRankZeroAreStillNamed) {
  const mpimr::task_error e(0, 0, "boom");
  EXPECT_EQ(e.rank(), 0);
  EXPECT_EQ(e.chunk_id(), 0U);
  EXPECT_TRUE(mpimr_test::contains(e.what(), "chunk 0"));
  EXPECT_TRUE(mpimr_test::contains(e.what(), "rank 0"));
  EXPECT_TRUE(mpimr_test::contains(e.what(), "boom"));
}

TEST(TaskError, NoChunkOmitsTheChunk) {
  const std::string original = "join failed across ranks";
  const mpimr::task_error e(58, mpimr::task_error::no_chunk, original);
  EXPECT_EQ(e.rank(), 58);
  EXPECT_EQ(e.chunk_id(), mpimr::task_error::no_chunk);
  EXPECT_EQ(e.original_message(), original);
  EXPECT_TRUE(mpimr_test::contains(e.what(), "58"));
  EXPECT_TRUE(mpimr_test::contains(e.what(), original));
  EXPECT_TRUE(mpimr_test::lacks(e.what(), "chunk"));
  EXPECT_TRUE(mpimr_test::lacks(e.what(), std::to_string(UINT64_MAX)));
}

TEST(TaskError, OriginalMessageKeptVerbatim) {
  // Empty, multi-line and NUL-bearing messages survive unchanged in original_message().
  for (const std::string& original :
       {std::string{}, std::string("line 1\nline 2"), std::string("nul\0inside", 10)}) {
    const mpimr::task_error e(1, 2, original);
    EXPECT_EQ(e.original_message(), original);
  }
}

TEST(TaskError, CatchableAsBaseAndCopyable) {
  try {
    throw mpimr::task_error(3, 9, "bad input 17");
  } catch (const mpimr::error& base) {
    const auto* task = dynamic_cast<const mpimr::task_error*>(&base);
    ASSERT_NE(task, nullptr);
    const mpimr::task_error copy = *task;
    EXPECT_EQ(copy.rank(), 3);
    EXPECT_EQ(copy.chunk_id(), 9U);
    EXPECT_EQ(copy.original_message(), "bad input 17");
    EXPECT_STREQ(copy.what(), base.what());
  }
}

TEST(Errors, InvalidArgumentKeepsItsMessage) {
  try {
    throw mpimr::invalid_argument("chunk_size 12 is odd");
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "chunk_size 12 is odd");
  }
}

}  // namespace
