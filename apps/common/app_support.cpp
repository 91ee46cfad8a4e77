// Shared command-line handling of the apps (see app_support.hpp).
#include "app_support.hpp"

#include <mpi.h>

#include <algorithm>
#include <limits>

namespace app {

count parse_count(std::string_view text, std::uint64_t max) {
  constexpr count not_a_count{count_status::not_a_count, 0};
  constexpr count too_large{count_status::too_large, 0};
  constexpr std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  int fraction_digits = 0;
  bool any_digit = false;
  std::size_t i = 0;
  auto is_digit = [&] { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  auto push_digit = [&]() -> bool {
    const auto d = static_cast<std::uint64_t>(text[i++] - '0');
    if (value > (limit - d) / 10) return false;
    value = value * 10 + d;
    any_digit = true;
    return true;
  };
  while (is_digit()) {
    if (!push_digit()) return too_large;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; is_digit(); ++fraction_digits) {
      if (!push_digit()) return too_large;
    }
  }
  if (!any_digit) return not_a_count;
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && text[i] == '+') ++i;
    if (!is_digit()) return not_a_count;
    while (is_digit()) {
      exponent = exponent * 10 + (text[i++] - '0');
      exponent = std::min(exponent, 100);  // stays exact: 10^100 overflows unless the mantissa is 0
    }
  }
  if (i != text.size()) return not_a_count;
  // "2.50e1" is 25: drop the zeros the exponent does not cover; anything else is not whole.
  for (; exponent < fraction_digits; --fraction_digits) {
    if (value % 10 != 0) return not_a_count;
    value /= 10;
  }
  for (; exponent > fraction_digits; --exponent) {
    if (value > limit / 10) return too_large;
    value *= 10;
  }
  if (value > max) return too_large;
  return {count_status::ok, value};
}

std::optional<std::string> check_count(const char* option, const std::string& text,
                                       std::uint64_t max, bool zero_ok, std::uint64_t& out) {
  const count c = parse_count(text, max);
  if (c.status == count_status::too_large) {
    return fmt::format("{}: value '{}' is too large (at most {})", option, text, max);
  }
  if (c.status == count_status::not_a_count || (c.value == 0 && !zero_ok)) {
    return fmt::format("{}: value '{}' is not a {} integer", option, text,
                       zero_ok ? "non-negative" : "positive");
  }
  out = c.value;
  return std::nullopt;
}

std::optional<std::string> check_schedule(const std::string& text, mpimr::schedule& out) {
  try {
    out = mpimr::parse_schedule(text);
  } catch (const mpimr::invalid_argument& e) {
    return fmt::format("--schedule: {}", e.what());
  }
  return std::nullopt;
}

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, bool print,
                                      std::string_view name) {
  add_run_output_options(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      if (print) fmt::print("{}", app.help());
      return 0;
    }
    if (print) fmt::print(stderr, "{}: {}\n", name, e.what());
    return 2;
  }
  return std::nullopt;
}

}  // namespace app
