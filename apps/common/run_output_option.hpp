// --report, --report-json FILE (MPIMR_REPORT as their default) and --progress / --no-progress for
// every app: after the run, rank 0 prints the run report's table on stderr and/or writes it as
// JSON.
#pragma once

#include <CLI/CLI.hpp>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace app {

struct report_request {
  bool table = false;
  std::string json_file;  // empty: no JSON
};

/// MPIMR_REPORT's value: "table", "json:FILE", "table,json:FILE", or "" / "off" for nothing.
/// Returns a message naming the variable and its text when it is none of these.
[[nodiscard]] std::optional<std::string> report_from_environment(report_request& out);

/// Adds --report, --report-json FILE, --progress and --no-progress to `app` (parse_command_line
/// does this for every app).
void add_run_output_options(CLI::App& app);

/// Collective, after parsing: settles the request (options win over MPIMR_REPORT), checks on rank 0
/// that the JSON file can be written, applies --progress / --no-progress to `ctx` and turns its
/// reports off unless one was asked for (they cost a gather per operation). Returns the
/// exit code (2) when it cannot, after rank 0 printed one line; nothing when the run may go on.
[[nodiscard]] std::optional<int> settle_run_output(mpimr::context& ctx, std::string_view name,
                                                   bool print);

/// After a run that returned normally: rank 0 prints and writes what was asked for, covering
/// every operation of the run (ctx.total_report()). Returns 1 when the JSON could not be written.
[[nodiscard]] int finish_run_output(const mpimr::context& ctx, std::string_view name);

}  // namespace app
