// farm: runs independent shell commands (a task file, or a template over a parameter file) as one
// MPI job. Tasks go to ranks dynamically through mpimr::map_to, one chunk of --per-rank tasks at a
// time; each rank runs its chunk's tasks as child processes at once. Results go to rank 0 and into
// a results table; under --checkpoint a rerun skips the chunks that finished.
#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../common/app_support.hpp"
#include "../common/checkpoint_option.hpp"
#include "../common/parse_real.hpp"
#include "child.hpp"
#include "output_folder.hpp"
#include "record.hpp"
#include "results.hpp"
#include "stop_marker.hpp"
#include "task_chunks.hpp"
#include "task_list.hpp"

namespace {

/// The farm's exit code when a task failed, timed out, or did not run after a failure.
constexpr int exit_task_failed = 1;

struct settings {
  std::string task_file;  // empty: --template and --params
  std::string command_template;
  std::string params;
  std::string output_folder = "farm-output";
  farm::run_limits limits;
  std::uint64_t per_rank = 1;
  bool keep_going = false;
  app::checkpoint_request checkpoint;
};

app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  settings s;
  std::string timeout_text = "0";
  std::string grace_text = "5";
  std::string retries_text = "0";
  std::string per_rank_text = "1";
  CLI::App app{
      "Runs independent shell commands as one MPI job: each task is one line run by /bin/sh -c, "
      "in its own process group, stdin from /dev/null, stdout and stderr to DIR/task-NNNNNN.out "
      "and .err (NNNNNN: the task number, from 1). Writes DIR/results.csv and DIR/results.json. "
      "Exit code 0: every task succeeded; 1: a task failed, timed out or did not run; 2: bad "
      "input; 75: stopped by a signal (resume with --checkpoint).",
      "farm"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("task-file", s.task_file,
                 "One shell command per line; blank lines and lines starting with # are skipped")
      ->type_name("FILE");
  app.add_option("--template", s.command_template,
                 "Command made for every line of --params: {} is the whole line, {1} {2} ... its "
                 "whitespace-separated fields, {#} the task number, {{ a literal {")
      ->type_name("COMMAND");
  app.add_option("--params", s.params,
                 "Parameter lines for --template (blank lines and # comments skipped)")
      ->type_name("FILE");
  app.add_option("--output-dir,-o", s.output_folder,
                 "Folder for the tasks' output files and the results table (made if missing)")
      ->type_name("DIR")
      ->capture_default_str();
  app.add_option("--timeout", timeout_text,
                 "Seconds per attempt of a task, then SIGTERM to its process group, SIGKILL after "
                 "--grace (0: no limit)")
      ->type_name("SECONDS")
      ->capture_default_str();
  app.add_option("--grace", grace_text,
                 "Seconds between SIGTERM and SIGKILL (timeouts and a stop by a signal)")
      ->type_name("SECONDS")
      ->capture_default_str();
  app.add_option("--retries", retries_text, "Further attempts of a task that failed")
      ->type_name("N")
      ->capture_default_str();
  app.add_flag("--keep-going", s.keep_going,
               "Run every task even after one failed (default: after a failure no rank starts "
               "another task; running ones finish)");
  app.add_option("--per-rank", per_rank_text,
                 "Tasks each rank runs at once (a chunk of N tasks, started together; the next "
                 "chunk starts when all N ended)")
      ->type_name("N")
      ->capture_default_str();
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "farm: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "farm")) {
    return {std::nullopt, *exit_code};
  }
  const bool templated = app.count("--template") != 0 || app.count("--params") != 0;
  if (s.task_file.empty() == !templated) {
    return fail(templated ? "give a task file or --template with --params, not both"
                          : "no tasks: give a task file, or --template and --params");
  }
  if (templated && (app.count("--template") == 0 || app.count("--params") == 0)) {
    return fail(app.count("--template") == 0 ? "--params needs --template"
                                             : "--template needs --params");
  }
  if (templated) {
    try {
      farm::check_template(s.command_template);
    } catch (const mpimr::invalid_argument& e) {
      return fail(e.what());
    }
  }
  if (s.output_folder.empty()) return fail("--output-dir: the folder name is empty");
  for (auto [option, text, out] :
       {std::tuple{"--timeout", &timeout_text, &s.limits.timeout_seconds},
        std::tuple{"--grace", &grace_text, &s.limits.grace_seconds}}) {
    if (auto bad = app::check_real(option, *text, *out)) return fail(*bad);
    // A day is far beyond any grace; the bound keeps the deadline arithmetic finite.
    if (*out < 0 || *out > 1e9) {
      return fail(fmt::format("{}: value '{}' is not between 0 and 1e9 seconds", option, *text));
    }
  }
  std::uint64_t retries = 0;
  if (auto bad = app::check_count("--retries", retries_text, 1000, true, retries)) {
    return fail(*bad);
  }
  s.limits.retries = static_cast<std::uint32_t>(retries);
  if (auto bad = app::check_count("--per-rank", per_rank_text, 1024, false, s.per_rank)) {
    return fail(*bad);
  }
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

/// Rank 0 gets every rank's records of this run over `all` (the others an empty list), by one
/// broadcast per rank: only on a stop after a failure, when map_to threw and its results are lost.
std::vector<farm::task_record> collect_records(mpimr::context& ctx, std::uint64_t tasks,
                                               std::vector<farm::task_record> all,
                                               const std::vector<farm::task_record>& mine) {
  if (ctx.rank() == 0) all.resize(tasks);
  for (int root = 0; root < ctx.size(); ++root) {
    std::vector<farm::task_record> records =
        ctx.rank() == root ? mine : std::vector<farm::task_record>{};
    mpimr::broadcast(ctx, records, root);
    for (const farm::task_record& r : records) {
      if (ctx.rank() == 0) all[r.task - 1] = r;
    }
  }
  return all;
}

int run(mpimr::context& ctx, const settings& s) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t started_ns = farm::wall_ns();
  const bool root = ctx.rank() == 0;
  const std::vector<std::string> commands =
      s.task_file.empty() ? farm::expand_template(s.command_template, s.params)
                          : farm::read_task_file(s.task_file);
  farm::prepare_output_folder(ctx, s.output_folder);
  const std::uint64_t n = commands.size();

  std::string all_commands;
  for (const std::string& c : commands) all_commands.append(c).push_back('\0');
  std::optional<app::job_checkpoint> journal;
  journal.emplace(ctx, s.checkpoint,
                  app::job_key("farm")
                      .add("per-rank", s.per_rank)
                      .add("output-dir", s.output_folder)
                      .add_data("tasks", std::as_bytes(std::span(all_commands))));

  // This rank's records of this run, for the results table after a stop at a failure.
  std::vector<farm::task_record> mine;
  const farm::chunk_setup setup{&commands,    s.output_folder, s.limits,    s.per_rank,
                                s.keep_going, ctx.rank(),      host_name(), &mine};
  const auto options = [&](const char* label) {
    return mpimr::options{
        .schedule = mpimr::schedule::dynamic, .chunk_size = s.per_rank, .label = label};
  };

  std::vector<farm::task_record> records;
  std::string stopped_by;  // the failure that stopped the farm (without --keep-going)
  try {
    records = mpimr::map_to(ctx, 0, mpimr::index_range{0, n}, farm::chunk_runner(setup, nullptr),
                            options("farm tasks"));
    if (journal->active()) {
      // A failure taken from the journal (an interrupted --keep-going run) runs again: a rerun
      // skips only what succeeded. Such a record started before this run did.
      std::vector<std::uint64_t> again;
      for (std::uint64_t i = 0; i < records.size(); ++i) {
        if (!records[i].succeeded() && records[i].start_ns < started_ns) again.push_back(i);
      }
      mpimr::broadcast(ctx, again, 0);
      if (!again.empty()) {
        const auto rerun = mpimr::map_to(ctx, 0, mpimr::index_range{0, again.size()},
                                         farm::chunk_runner(setup, &again), options("farm reruns"));
        for (std::size_t k = 0; k < rerun.size(); ++k) records[again[k]] = rerun[k];
      }
    }
  } catch (const mpimr::task_error& e) {
    const farm::stop_reason reason = farm::read_marker(e.original_message());
    if (reason.kind == farm::stop_reason::interrupted) {
      throw mpimr::interrupted(e.rank(), reason.signal_number);
    }
    if (reason.kind != farm::stop_reason::failure) throw;
    // The journal keeps the chunks that finished; the rest run again on a rerun.
    journal.reset();
    stopped_by = reason.text;
    records = collect_records(ctx, n, std::move(records), mine);
  }

  const std::optional<std::uint64_t> resumed =
      journal ? journal->resumed_chunks() : std::optional<std::uint64_t>();
  const auto write = [&] { farm::write_results(s.output_folder, commands, records); };
  if (journal) {
    journal->finish(write);
  } else if (root) {
    write();
  }
  if (!root) return stopped_by.empty() ? 0 : exit_task_failed;

  const farm::run_facts facts{
      ctx.size(), s.per_rank,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
      s.output_folder};
  fmt::print("{}", farm::summary(commands, records, facts));
  if (resumed) fmt::print("resumed_chunks {}\n", *resumed);
  std::fflush(stdout);
  if (!stopped_by.empty()) {
    fmt::print(stderr, "farm: stopped after a failure ({}); --keep-going runs every task\n",
               stopped_by);
    return exit_task_failed;
  }
  for (const farm::task_record& r : records) {
    if (!r.succeeded()) return exit_task_failed;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return app::app_main("farm", argc, argv, parse_arguments, run); }
