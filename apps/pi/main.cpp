// pi: estimates pi by Monte Carlo with mpimr::reduce. The same --seed prints the same bits at any
// rank count and schedule: random streams are keyed by chunk and the hit count is an exact integer
// sum.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <mpimr/mpimr.hpp>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>

#include "kernel.hpp"

namespace {

struct settings {
  std::uint64_t samples = 0;
  std::uint64_t seed = 0;
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_size = 0;
};

/// Either settings to run with, or the exit code to leave with (0 after --help, 2 on bad
/// arguments).
struct parsed {
  std::optional<settings> run;
  int exit_code = 0;
};

enum class count_status { ok, not_a_count, too_large };
struct count {
  count_status status = count_status::not_a_count;
  std::uint64_t value = 0;
};

/// Parses "1000000000", "1e9" or "2.5e8" exactly (no rounding through double, so "1e19" is exact).
/// Signs and fractions that do not come out whole are not counts; values above `max` are too large.
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

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
parsed parse_arguments(int argc, char** argv, bool print) {
  std::string samples_text = "5e8";
  std::string seed_text = "20240917";
  std::string schedule_text = "auto";
  std::string chunk_text = "0";
  CLI::App app{
      "Estimates pi by Monte Carlo: 4 times the fraction of random points of the unit square "
      "that fall inside the quarter circle.",
      "pi"};
  // As in most Unix tools, a repeated option takes its last value (handy after a shell alias).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--samples,-n", samples_text, "Number of random points, e.g. 1000000000 or 1e9")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--seed", seed_text,
                 "Random seed; the same seed gives the same estimate at any rank count")
      ->type_name("S")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How chunks go to ranks: auto, static, dynamic or guided")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--chunk-size", chunk_text, "Samples per chunk; 0 lets mpimr choose")
      ->type_name("N")
      ->capture_default_str();

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "pi: {}\n", message);
    return parsed{std::nullopt, 2};
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      if (print) fmt::print("{}", app.help());
      return parsed{std::nullopt, 0};
    }
    return fail(e.what());
  }

  constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
  // mpimr reads chunk sizes above 2^63 as negative numbers gone unsigned; refuse them here already.
  constexpr auto chunk_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  // Names the option and the text as typed, so the message points at what to fix.
  auto check = [&](const char* option, const std::string& text, std::uint64_t max, bool zero_ok,
                   std::uint64_t& out) -> std::optional<std::string> {
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
  };
  settings s;
  if (auto bad = check("--samples", samples_text, no_limit, false, s.samples)) return fail(*bad);
  if (auto bad = check("--seed", seed_text, no_limit, true, s.seed)) return fail(*bad);
  if (auto bad = check("--chunk-size", chunk_text, chunk_max, true, s.chunk_size)) {
    return fail(*bad);
  }
  try {
    s.schedule = mpimr::parse_schedule(schedule_text);
  } catch (const mpimr::invalid_argument& e) {
    return fail(fmt::format("--schedule: {}", e.what()));
  }
  return parsed{s, 0};
}

int run(mpimr::context& ctx, const settings& s) {
  // The context constructor ended with a collective, so the ranks start the clock together.
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t hits =
      mpimr::reduce(ctx, mpimr::index_range{0, s.samples}, std::uint64_t{0},
                    [seed = s.seed](const mpimr::chunk& c) { return pi_app::count_hits(seed, c); },
                    std::plus<>{}, {.schedule = s.schedule, .chunk_size = s.chunk_size});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

  if (ctx.rank() == 0) {
    const double estimate = 4.0 * static_cast<double>(hits) / static_cast<double>(s.samples);
    const double seconds = elapsed.count();
    fmt::print("estimate      {:.17g}\n", estimate);
    fmt::print("abs_error     {:.3e}\n", std::abs(estimate - std::numbers::pi));
    fmt::print("hits          {}\n", hits);
    fmt::print("samples       {}\n", s.samples);
    fmt::print("seed          {}\n", s.seed);
    fmt::print("schedule      {}\n", mpimr::to_string(s.schedule));
    fmt::print("ranks         {}\n", ctx.size());
    fmt::print("wall_seconds  {:.6f}\n", seconds);
    fmt::print("samples_per_s {:.4e}\n", static_cast<double>(s.samples) / seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // Every return below runs the destructors, so MPI is finalized cleanly on every path and mpirun
    // reports our exit code instead of an abort.
    mpimr::environment env{argc, argv};
    mpimr::context ctx;
    const parsed args = parse_arguments(argc, argv, ctx.rank() == 0);
    if (!args.run) return args.exit_code;
    try {
      return run(ctx, *args.run);
    } catch (const mpimr::error& e) {  // thrown on every rank alike: one line is enough
      if (ctx.rank() == 0) fmt::print(stderr, "pi: {}\n", e.what());
      return 1;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "pi: {}\n", e.what());
    return 1;
  }
}
