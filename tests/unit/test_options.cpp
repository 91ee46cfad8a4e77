// Unit tests of schedule names: the documented spellings parse to their schedules, names round
// trip, and unknown text is rejected naming what was given.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mpimr/errors.hpp"
#include "mpimr/options.hpp"
#include "unit_support.hpp"

namespace {

using mpimr::schedule;

TEST(Schedule, DocumentedNamesParse) {
  const std::vector<std::pair<std::string_view, schedule>> names = {
      {"auto", schedule::automatic},    {"static", schedule::static_blocks},
      {"dynamic", schedule::dynamic},   {"guided", schedule::guided},
      {"adaptive", schedule::adaptive},
  };
  for (const auto& [text, expected] : names) {
    EXPECT_EQ(mpimr::parse_schedule(text), expected) << text;
    EXPECT_EQ(mpimr::to_string(expected), text);
  }
}

TEST(Schedule, ToStringParseRoundTrip) {
  for (const schedule s : {schedule::automatic, schedule::static_blocks, schedule::dynamic,
                           schedule::guided, schedule::adaptive}) {
    const std::string_view name = mpimr::to_string(s);
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(mpimr::parse_schedule(name), s) << name;
    // Works from an owning string too (command lines, environment variables).
    EXPECT_EQ(mpimr::parse_schedule(std::string(name)), s) << name;
  }
}

TEST(Schedule, UnknownNameThrowsNamingIt) {
  for (const std::string bad : {"fastest", "", "dynamic ", "stat", "automatic", "static_blocks"}) {
    try {
      (void)mpimr::parse_schedule(bad);
      ADD_FAILURE() << "no exception for '" << bad << "'";
    } catch (const mpimr::invalid_argument& e) {
      EXPECT_TRUE(mpimr_test::contains(e.what(), "'" + bad + "'"));
    }
  }
  EXPECT_THROW((void)mpimr::parse_schedule("nope"), mpimr::error);
}

TEST(Options, DefaultsAndDesignatedInitializers) {
  const mpimr::options defaults{};
  EXPECT_EQ(defaults.schedule, schedule::automatic);
  EXPECT_EQ(defaults.chunk_size, 0U);
  EXPECT_FALSE(defaults.deterministic);
  const mpimr::options custom{
      .schedule = schedule::guided, .chunk_size = 64, .deterministic = true};
  EXPECT_EQ(custom.schedule, schedule::guided);
  EXPECT_EQ(custom.chunk_size, 64U);
  EXPECT_TRUE(custom.deterministic);
}

}  // namespace
