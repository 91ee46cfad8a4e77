// pi: estimates pi by Monte Carlo with mpimr::reduce. The same --seed prints the same bits at any
// rank count and schedule: random streams are keyed by chunk and the hit count is an exact integer
// sum.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mpimr/mpimr.hpp>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>

#include "../common/app_support.hpp"
#include "kernel.hpp"

namespace {

struct settings {
  std::uint64_t samples = 0;
  std::uint64_t seed = 0;
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_size = 0;
  app::checkpoint_request checkpoint;
};

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
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
                 "How chunks go to ranks: auto, static, dynamic, guided or adaptive")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--chunk-size", chunk_text, "Samples per chunk; 0 lets mpimr choose")
      ->type_name("N")
      ->capture_default_str();
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "pi: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "pi")) {
    return {std::nullopt, *exit_code};
  }

  constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
  // mpimr reads chunk sizes above 2^63 as negative numbers gone unsigned; refuse them here already.
  constexpr auto chunk_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (auto bad = app::check_count("--samples", samples_text, no_limit, false, s.samples))
    return fail(*bad);
  if (auto bad = app::check_count("--seed", seed_text, no_limit, true, s.seed)) return fail(*bad);
  if (auto bad = app::check_count("--chunk-size", chunk_text, chunk_max, true, s.chunk_size)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, s.schedule)) return fail(*bad);
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

int run(mpimr::context& ctx, const settings& s) {
  // The chunk size changes the estimate (each chunk has its own random stream), the schedule not.
  app::job_checkpoint journal(ctx, s.checkpoint,
                              app::job_key("pi")
                                  .add("samples", s.samples)
                                  .add("seed", s.seed)
                                  .add("chunk-size", s.chunk_size));
  // The checkpoint's constructor ended with a collective, so the ranks start the clock together.
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t hits =
      mpimr::reduce(ctx, mpimr::index_range{0, s.samples}, std::uint64_t{0},
                    [seed = s.seed](const mpimr::chunk& c) { return pi_app::count_hits(seed, c); },
                    std::plus<>{}, {.schedule = s.schedule, .chunk_size = s.chunk_size});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();
  journal.finish();

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
    if (resumed) fmt::print("resumed_chunks {}\n", *resumed);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return app::app_main("pi", argc, argv, parse_arguments, run); }
