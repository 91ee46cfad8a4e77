// Helpers shared by the unit tests (plain GoogleTest: no gmock needed, since only gtest is linked).
#pragma once

#include <gtest/gtest.h>

#include <string_view>

namespace mpimr_test {

/// EXPECT_TRUE(contains(e.what(), "42")): on failure prints both the text and the missing part.
inline ::testing::AssertionResult contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

/// The negation of contains(), with the same diagnostics.
inline ::testing::AssertionResult lacks(std::string_view text, std::string_view part) {
  if (text.find(part) == std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" contains \"" << part << "\"";
}

}  // namespace mpimr_test
