// The apps' report options (see run_output_option.hpp).
#include "run_output_option.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>

#include "output_path.hpp"

namespace app {
namespace {

/// One app per process: what its command line asked for, kept from parsing to the end of the run.
struct run_output_state {
  bool report_flag = false;
  std::string report_json;
  bool json_given = false;
  std::optional<bool> progress;  // --progress / --no-progress; none: the context's default
  report_request settled;
};

run_output_state& state() {
  static run_output_state s;
  return s;
}

constexpr const char* report_variable = "MPIMR_REPORT";
constexpr std::string_view json_prefix = "json:";

std::optional<std::string> check_json_file(const char* what, const std::string& file) {
  if (auto bad = check_output_path(what, file)) return bad;
  const std::filesystem::path path(file);
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  if (::access(folder.c_str(), W_OK) != 0) {
    return fmt::format("{}: cannot write in folder '{}'", what, folder.string());
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> report_from_environment(report_request& out) {
  const char* raw = std::getenv(report_variable);
  if (raw == nullptr) return std::nullopt;
  std::string_view text(raw);
  const std::string whole(text);
  if (text.empty() || text == "off") return std::nullopt;
  auto bad = [&] {
    return fmt::format("{}='{}': expected table, json:FILE, table,json:FILE or off",
                       report_variable, whole);
  };
  report_request r;
  if (text.starts_with("table")) {
    r.table = true;
    text.remove_prefix(5);
    if (!text.empty()) {
      if (text.front() != ',') return bad();
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) {
    // FILE is the rest, commas and colons included.
    if (!text.starts_with(json_prefix) || text.size() == json_prefix.size()) return bad();
    r.json_file = std::string(text.substr(json_prefix.size()));
  }
  out = r;
  return std::nullopt;
}

void add_run_output_options(CLI::App& app) {
  run_output_state& s = state();
  app.add_flag("--report", s.report_flag,
               "After the run, print a table of what each rank did (chunks, items, busy and wait "
               "time, bytes sent and received; load imbalance, parallel efficiency) on stderr");
  app.add_option("--report-json", s.report_json,
                 "After the run, write that report as JSON to FILE (written whole or not at all; "
                 "fields in docs/run_report.md). Default for both: MPIMR_REPORT=table|json:FILE")
      ->type_name("FILE")
      ->each([&s](const std::string&) { s.json_given = true; });
  app.add_flag_function(
      "--progress,!--no-progress", [&s](std::int64_t count) { s.progress = count > 0; },
      "Show chunks done, rate, elapsed time and ETA on stderr while operations run: a redrawn line "
      "on a terminal, a line every 10 s otherwise. Default: on when stderr is a terminal, or "
      "MPIMR_PROGRESS=on|off|auto[,SECONDS]");
}

std::optional<int> settle_run_output(mpimr::context& ctx, std::string_view name, bool print) {
  run_output_state& s = state();
  std::string failure;
  report_request r;
  if (auto bad = report_from_environment(r)) failure = *bad;
  if (failure.empty()) {
    // The command line wins over MPIMR_REPORT, each part on its own.
    if (s.report_flag) r.table = true;
    if (s.json_given) r.json_file = s.report_json;
    if (s.json_given || !r.json_file.empty()) {
      const char* what = s.json_given ? "--report-json" : report_variable;
      // Rank 0 writes the file, so rank 0's view of the file system decides for every rank.
      if (ctx.rank() == 0) {
        if (auto bad = check_json_file(what, r.json_file)) failure = *bad;
      }
    }
  }
  mpimr::broadcast(ctx, failure, 0);
  if (!failure.empty()) {
    if (print) fmt::print(stderr, "{}: {}\n", name, failure);
    return 2;
  }
  s.settled = r;
  // A run nobody asked a report of does not pay for one: its gather costs 3-15 us per operation at
  // 2 ranks, a tenth of a small PageRank or k-means iteration.
  ctx.set_reporting(r.table || !r.json_file.empty());
  if (s.progress)
    ctx.set_progress({.mode = *s.progress ? mpimr::progress_mode::on : mpimr::progress_mode::off});
  return std::nullopt;
}

int finish_run_output(const mpimr::context& ctx, std::string_view name) {
  const report_request& r = state().settled;
  if (ctx.rank() != 0) return 0;
  const mpimr::run_report& report = ctx.total_report();
  if (r.table) fmt::print(stderr, "{}", mpimr::format_table(report));
  if (r.json_file.empty()) return 0;
  try {
    mpimr::write_json(report, r.json_file);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", name, e.what());
    return 1;
  }
  return 0;
}

}  // namespace app
