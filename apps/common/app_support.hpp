// What every mpimr app shares: exact parsing of counts such as 1e9, the CLI11 outcome (help, or one
// line and exit code 2), and a main() that maps mpimr's errors (and a stop by a signal) to one line
// and an exit code.
#pragma once

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <exception>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "checkpoint_option.hpp"
#include "run_output_option.hpp"

namespace app {

/// Either settings to run with, or the exit code to leave with (0 after --help, 2 on bad
/// arguments).
template <class Settings>
struct parsed {
  std::optional<Settings> run;
  int exit_code = 0;
};

enum class count_status { ok, not_a_count, too_large };
struct count {
  count_status status = count_status::not_a_count;
  std::uint64_t value = 0;
};

/// Parses "1000000000", "1e9" or "2.5e8" exactly (no rounding through double, so "1e19" is exact).
/// Signs and fractions that do not come out whole are not counts; values above `max` are too large.
[[nodiscard]] count parse_count(std::string_view text, std::uint64_t max);

/// Parses option `option`'s `text` into `out`; otherwise returns a message naming both.
[[nodiscard]] std::optional<std::string> check_count(const char* option, const std::string& text,
                                                     std::uint64_t max, bool zero_ok,
                                                     std::uint64_t& out);

/// Parses --schedule's `text` into `out`; otherwise returns a message naming the bad value.
[[nodiscard]] std::optional<std::string> check_schedule(const std::string& text,
                                                        mpimr::schedule& out);

/// Runs CLI11 on argv, with the options every app has (--report, --report-json, --progress) added
/// last.
/// Returns nothing to go on, or the exit code to leave with after rank 0
/// (`print`) showed the help (0) or one line naming what is wrong (2).
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                                    bool print, std::string_view name);

/// This process's rank in MPI_COMM_WORLD (MPI is initialised), for a line printed before there
/// is a context.
[[nodiscard]] int world_rank();

/// main() of an app: `parse(argc, argv, print) -> parsed<Settings>` on every rank alike, then
/// `run(ctx, settings) -> exit code`. mpimr errors, thrown on every rank alike, become one line
/// from rank 0 and exit code 2 (bad arguments or inputs) or 1; a stop by a signal (SIGTERM, SIGINT,
/// SIGUSR1, SIGUSR2) becomes one line saying how to resume and exit code 75 (exit_interrupted).
/// Every path runs the destructors, so MPI is finalized cleanly and mpirun reports our exit code
/// instead of an abort.
template <class Parse, class Run>
int app_main(std::string_view name, int argc, char** argv, Parse parse, Run run) {
  try {
    mpimr::environment env{argc, argv};
    std::optional<mpimr::context> made;
    try {
      made.emplace();
    } catch (const mpimr::invalid_argument& e) {
      // A malformed MPIMR_* variable: every rank read the same one (mpirun passes the
      // environment on) and refuses alike, so one line from rank 0 says it for all.
      if (world_rank() == 0) fmt::print(stderr, "{}: {}\n", name, e.what());
      return 2;
    }
    mpimr::context& ctx = *made;
    const bool print = ctx.rank() == 0;
    const auto args = parse(argc, argv, print);
    if (!args.run) return args.exit_code;
    if (const auto exit_code = settle_run_output(ctx, name, print)) return *exit_code;
    try {
      const int exit_code = run(ctx, *args.run);
      const int report_code = finish_run_output(ctx, name);
      return exit_code != 0 ? exit_code : report_code;
    } catch (const mpimr::interrupted& e) {
      // Thrown on every rank; the run's checkpoint, if any, is closed by now.
      const std::string line = interruption_line(ctx, name, e);
      if (print) fmt::print(stderr, "{}\n", line);
      return exit_interrupted;
    } catch (const mpimr::invalid_argument& e) {
      if (print) fmt::print(stderr, "{}: {}\n", name, e.what());
      return 2;
    } catch (const mpimr::error& e) {
      if (print) fmt::print(stderr, "{}: {}\n", name, e.what());
      return 1;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", name, e.what());
    return 1;
  }
}

}  // namespace app
