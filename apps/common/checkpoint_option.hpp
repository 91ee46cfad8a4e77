// --checkpoint DIR and --keep-checkpoint for the apps: the options, the job's key, the
// mpimr::checkpoint that journals the job's operations, and the line an interrupted run ends with.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace app {

/// The exit code of a run stopped by SIGTERM, SIGINT, SIGUSR1 or SIGUSR2: EX_TEMPFAIL of
/// <sysexits.h>, "try again".
inline constexpr int exit_interrupted = 75;

struct checkpoint_request {
  std::string folder;  // empty: no checkpoint
  bool keep = false;
};

/// Adds --checkpoint DIR and --keep-checkpoint (which needs --checkpoint) to `app`; their help
/// says how to resume and names exit code 75.
void add_checkpoint_options(CLI::App& app, checkpoint_request& request);

/// After parsing: a one-line message when --checkpoint was given an empty name.
[[nodiscard]] std::optional<std::string> check_checkpoint_options(
    const CLI::App& app, const checkpoint_request& request);

/// The text that identifies a job in its journal: the app's name and every parameter that changes
/// its results, as `name=value` in the order added. Doubles are written in the shortest form that
/// reads back to the same bits.
class job_key {
 public:
  explicit job_key(std::string_view app_name);
  job_key& add(std::string_view name, std::string_view value);
  job_key& add(std::string_view name, const char* value) {
    return add(name, std::string_view(value));
  }
  job_key& add(std::string_view name, std::uint64_t value);
  job_key& add(std::string_view name, double value);
  job_key& add(std::string_view name, bool value) = delete;  // say what it means instead
  /// XXH3 of input data (points, edges) read from a file: the same file name with other contents
  /// is another job.
  job_key& add_data(std::string_view name, std::span<const std::byte> bytes);
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
};

/// The checkpoint of one app run, when --checkpoint was given; otherwise it does nothing, and the
/// operations run without a journal. Make it before the job's first operation.
class job_checkpoint {
 public:
  /// Collective. Throws mpimr::invalid_argument on every rank when the folder cannot be used or
  /// holds the journal of another job (another key).
  job_checkpoint(mpimr::context& ctx, const checkpoint_request& request, const job_key& key);
  /// Leaves the journal in place unless finish() completed it, and notes how many chunks it holds
  /// for the line of an interrupted run (see interruption_line).
  ~job_checkpoint();
  job_checkpoint(const job_checkpoint&) = delete;
  job_checkpoint& operator=(const job_checkpoint&) = delete;

  [[nodiscard]] bool active() const noexcept { return checkpoint_.has_value(); }

  /// Collective when active(): the chunks all ranks took from the journal instead of computing
  /// them; nothing (and no communication) without a checkpoint.
  [[nodiscard]] std::optional<std::uint64_t> resumed_chunks() const;

  /// Collective, after the job's last operation. Rank 0 runs `write_outputs` (the files, written
  /// whole through mpimr::atomic_file); if it throws, every rank throws mpimr::error with its
  /// message and the journal stays, so that a rerun only writes again. Otherwise the checkpoint is
  /// completed: its folder is removed unless --keep-checkpoint.
  void finish(const std::function<void()>& write_outputs = {});

 private:
  mpimr::context& ctx_;
  std::optional<mpimr::checkpoint> checkpoint_;
};

/// Collective: the sum of every rank's `value`.
[[nodiscard]] std::uint64_t sum_over_ranks(mpimr::context& ctx, std::uint64_t value);

/// Collective, on every rank after `stop` ended the run: the one line rank 0 prints, e.g.
/// "pi: interrupted on rank 0 by SIGUSR1; 37 chunks are saved in 'ckpt': run the same command
/// again to resume".
[[nodiscard]] std::string interruption_line(mpimr::context& ctx, std::string_view app_name,
                                            const mpimr::interrupted& stop);

}  // namespace app
