// workers: the classic multiprocessing example done the mpimr way. N tasks are queued; each rank is
// a separate process (its own pid, maybe on another host) that takes the next task when it is
// free, runs the worker function and says when the task starts and ends. All results are then
// joined, and rank 0 prints which process ran what and the combined result.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../common/app_support.hpp"
#include "summary.hpp"
#include "task.hpp"
#include "worker.hpp"

namespace {

struct settings {
  std::uint64_t tasks = 0;
  workers::work_settings work;
  mpimr::schedule schedule = mpimr::schedule::dynamic;
  app::checkpoint_request checkpoint;
};

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::string tasks_text = "8";
  std::string work_text = "2e8";
  std::string work_ms_text = "0";
  std::string schedule_text = "dynamic";
  CLI::App app{
      "Runs --tasks tasks in parallel, in separate processes. Start it with mpirun -np P: each of\n"
      "the P ranks is a process of its own (its own pid; with a hostfile, on other hosts).\n"
      "The tasks wait in a queue; a rank that is free takes the next one, so more tasks than\n"
      "ranks keep every rank busy. Each task runs a worker function that prints a line when it\n"
      "starts and when it ends (task, rank, host, pid), computes a checksum with --work steps of\n"
      "a random-number generator started at the task id, then sleeps --work-ms milliseconds.\n"
      "When all tasks are done their results are joined, and rank 0 prints which process ran\n"
      "which tasks and the sum of all checksums (the same at any rank count).\n",
      "workers"};
  app.footer(
      "Examples:\n"
      "  mpirun -np 4 workers --tasks 10 --work-ms 500   # 4 processes share 10 tasks\n"
      "  mpirun -np 2 workers --tasks 6 --work 1e9       # about a second of compute per task");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--tasks,-n", tasks_text, "Number of tasks")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--work", work_text,
                 "Compute per task: steps of the checksum kernel (about 1 ns each), e.g. 1e9; 0 "
                 "for none")
      ->type_name("STEPS")
      ->capture_default_str();
  app.add_option("--work-ms", work_ms_text,
                 "Milliseconds each task then sleeps, as if waiting for I/O (the core is free "
                 "meanwhile, so more ranks than cores still run side by side)")
      ->type_name("MS")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How tasks go to ranks: dynamic (the next task to whichever rank is free), "
                 "guided, static (rank r gets the r-th block of tasks up front), adaptive or auto")
      ->type_name("NAME")
      ->capture_default_str();
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "workers: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "workers")) {
    return {std::nullopt, *exit_code};
  }
  // Each task prints two lines and its rank's row lists it: a million is plenty for a demo.
  if (auto bad = app::check_count("--tasks", tasks_text, 1'000'000, false, s.tasks)) {
    return fail(*bad);
  }
  if (auto bad =
          app::check_count("--work", work_text, 1'000'000'000'000, true, s.work.iterations)) {
    return fail(*bad);
  }
  if (auto bad = app::check_count("--work-ms", work_ms_text, 3'600'000, true, s.work.sleep_ms)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, s.schedule)) return fail(*bad);
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

int run(mpimr::context& ctx, const settings& s) {
  // The checksums depend on the tasks and the work; --work-ms and the schedule change only when
  // and where tasks run.
  app::job_checkpoint journal(
      ctx, s.checkpoint,
      app::job_key("workers").add("tasks", s.tasks).add("work", s.work.iterations));
  const std::uint64_t run = workers::this_run(ctx);
  // this_run ended with a collective, so the ranks start their clocks together.
  const auto start = std::chrono::steady_clock::now();
  const workers::process_id me = workers::this_process(ctx.rank());
  // One task per chunk: a rank takes one task at a time, and the records come back to every rank
  // in task order.
  const std::vector<workers::task_record> records = mpimr::map(
      ctx, mpimr::index_range{0, s.tasks},
      [&](std::uint64_t task) { return workers::run_task(task, s.work, me, run, start); },
      {.schedule = s.schedule, .chunk_size = 1});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();
  journal.finish();
  if (ctx.rank() == 0) {
    std::string summary = workers::format_summary(records, ctx.size(), mpimr::to_string(s.schedule),
                                                  elapsed.count(), run);
    if (resumed) summary += fmt::format("resumed_chunks {}\n", *resumed);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("workers", argc, argv, parse_arguments, run);
}
