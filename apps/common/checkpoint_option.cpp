// The apps' checkpoint options and their journal (see checkpoint_option.hpp).
#include "checkpoint_option.hpp"

#include <fmt/core.h>
#include <xxhash.h>

#include <exception>
#include <utility>

namespace app {
namespace {

/// What the last checkpoint left behind when it ended without completing: app_main reports it after
/// the run's stack (and with it the checkpoint) is gone. One job per process, so one record.
struct unfinished_journal {
  bool offered = false;  // the app has --checkpoint (wordcount has not)
  bool any = false;
  std::string folder;
  std::uint64_t found = 0;     // records of earlier runs, the same number on every rank
  std::uint64_t recorded = 0;  // records this rank added in this run
};

unfinished_journal& last_unfinished() {
  static unfinished_journal journal;
  return journal;
}

}  // namespace

void add_checkpoint_options(CLI::App& app, checkpoint_request& request) {
  last_unfinished().offered = true;
  CLI::Option* folder =
      app.add_option(
             "--checkpoint", request.folder,
             "Journal each finished chunk in folder DIR (made if missing, seen by every rank, "
             "removed after success). A run stopped by SIGTERM, SIGINT, SIGUSR1 or SIGUSR2 "
             "exits with code 75 (under mpirun, send mpirun SIGUSR1: it forwards that to "
             "the ranks, but ends the job on SIGTERM); the same command again, at any rank "
             "count, resumes from DIR with the same results")
          ->type_name("DIR");
  app.add_flag("--keep-checkpoint", request.keep,
               "Keep the --checkpoint folder after success (a rerun then takes every chunk from "
               "it)")
      ->needs(folder);
}

std::optional<std::string> check_checkpoint_options(const CLI::App& app,
                                                    const checkpoint_request& request) {
  if (app.count("--checkpoint") != 0 && request.folder.empty()) {
    return std::string("--checkpoint: the folder name is empty");
  }
  return std::nullopt;
}

job_key::job_key(std::string_view app_name) : text_(app_name) {}

job_key& job_key::add(std::string_view name, std::string_view value) {
  text_ += fmt::format(" {}={}", name, value);
  return *this;
}

job_key& job_key::add(std::string_view name, std::uint64_t value) {
  text_ += fmt::format(" {}={}", name, value);
  return *this;
}

job_key& job_key::add(std::string_view name, double value) {
  // fmt writes the shortest text that reads back to the same double.
  text_ += fmt::format(" {}={}", name, value);
  return *this;
}

job_key& job_key::add_data(std::string_view name, std::span<const std::byte> bytes) {
  text_ += fmt::format(" {}={}-bytes-xxh3-{:016x}", name, bytes.size(),
                       static_cast<std::uint64_t>(XXH3_64bits(bytes.data(), bytes.size())));
  return *this;
}

job_checkpoint::job_checkpoint(mpimr::context& ctx, const checkpoint_request& request,
                               const job_key& key)
    : ctx_(ctx) {
  if (request.folder.empty()) return;
  last_unfinished().any = false;
  checkpoint_.emplace(ctx, mpimr::checkpoint_settings{
                               .folder = request.folder, .key = key.text(), .keep = request.keep});
}

job_checkpoint::~job_checkpoint() {
  if (!checkpoint_) return;
  last_unfinished() = {true, true, checkpoint_->folder().string(), checkpoint_->found_records(),
                       checkpoint_->recorded_chunks()};
}

std::optional<std::uint64_t> job_checkpoint::resumed_chunks() const {
  if (!checkpoint_) return std::nullopt;
  return sum_over_ranks(ctx_, checkpoint_->resumed_chunks());
}

void job_checkpoint::finish(const std::function<void()>& write_outputs) {
  // Rank 0 alone knows whether its files were written; the others must not complete (and remove)
  // the journal of a job whose outputs are missing, nor wait for it in complete()'s barrier.
  std::string failure;
  if (ctx_.rank() == 0 && write_outputs) {
    try {
      write_outputs();
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = "cannot write the outputs";
    }
  }
  mpimr::broadcast(ctx_, failure, 0);
  if (!failure.empty()) throw mpimr::error(failure);
  if (checkpoint_) {
    checkpoint_->complete();
    checkpoint_.reset();
  }
}

std::uint64_t sum_over_ranks(mpimr::context& ctx, std::uint64_t value) {
  // One broadcast from each rank: apps make no MPI calls, and an mpimr::reduce would be journaled
  // (and its chunks do not follow ranks). Used once or twice per run.
  std::uint64_t total = 0;
  for (int root = 0; root < ctx.size(); ++root) {
    std::uint64_t v = value;
    mpimr::broadcast(ctx, v, root);
    total += v;
  }
  return total;
}

std::string interruption_line(mpimr::context& ctx, std::string_view app_name,
                              const mpimr::interrupted& stop) {
  const unfinished_journal& journal = last_unfinished();
  const bool any = journal.any;
  // Every rank took part in the same job, so all agree on `any`; the sum is collective.
  const std::uint64_t saved = any ? journal.found + sum_over_ranks(ctx, journal.recorded) : 0;
  if (!any) {
    return fmt::format("{}: {}; {}a rerun starts over", app_name, stop.what(),
                       journal.offered ? "without --checkpoint " : "");
  }
  return fmt::format("{}: {}; {} chunk{} saved in '{}': run the same command again to resume",
                     app_name, stop.what(), saved, saved == 1 ? " is" : "s are", journal.folder);
}

}  // namespace app
