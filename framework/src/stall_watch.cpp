// Heartbeats and the stall verdict (see stall_watch.hpp).
#include "stall_watch.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mpimr/errors.hpp"

namespace mpimr::detail {
namespace {

using clock = std::chrono::steady_clock;
constexpr int tag_heartbeat = 1;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

/// "2, 5-7, 9" for sorted ranks.
std::string rank_list(const std::vector<int>& ranks) {
  std::string text;
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
    if (!text.empty()) text += ", ";
    text += std::to_string(ranks[i]);
    if (j > i) text.append("-").append(std::to_string(ranks[j]));
    i = j + 1;
  }
  return text;
}

/// Takes in one heartbeat that has arrived; returns its sender, or -1 when none is waiting.
int take_heartbeat(MPI_Comm comm) {
  int pending = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, tag_heartbeat, comm, &pending, &status);
  if (pending == 0) return -1;
  char byte = 0;
  MPI_Recv(&byte, 1, MPI_CHAR, status.MPI_SOURCE, tag_heartbeat, comm, MPI_STATUS_IGNORE);
  return status.MPI_SOURCE;
}

[[noreturn]] void end_job(const std::string& line) {
  // One write() of the whole line, so lines of several ranks never interleave mid-line.
  const std::string text = line + "\n";
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, text.data(), text.size());
  // _Exit, not MPI_Abort: MPI may be the thing that is stuck. mpirun (or srun) sees a rank leave
  // with a non-zero code and ends the others.
  std::_Exit(stall_exit_code);
}

}  // namespace

double stall_limit_from_environment() {
  const char* text = std::getenv("MPIMR_STALL_LIMIT");
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= 0 && value <= max_stall_limit_seconds)) {
    throw invalid_argument(std::string("MPIMR_STALL_LIMIT='") + text +
                           "' is not a number of seconds (0 to 1e9)");
  }
  return value;
}

stall_watch::stall_watch(MPI_Comm comm, double limit_seconds) : limit_(limit_seconds) {
  MPI_Comm_dup(comm, &comm_);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  if (size_ > 1) thread_ = std::thread([this] { watch(); });
}

stall_watch::~stall_watch() {
  if (thread_.joinable()) {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    // No rank sends after the barrier; what was sent before it has arrived (messages between two
    // ranks keep their order) and is taken in, so nothing is left unmatched on the communicator.
    MPI_Barrier(comm_);
    while (take_heartbeat(comm_) >= 0) {
    }
  }
  MPI_Comm_free(&comm_);
}

void stall_watch::watch() {
  // Rank 0 hears from every rank, every rank from rank 0: 2(P-1) one-byte messages per period.
  const auto period = std::chrono::duration<double>(std::max(0.05, limit_ / 4));
  std::vector<clock::time_point> last_heard(static_cast<std::size_t>(size_), clock::now());
  static const char beat = 1;  // static: a freed send may still read it after the thread ends
  // Rank 0 judges first; the others give it half a limit more to speak for the job before they
  // conclude that rank 0 itself is gone.
  const double patience = rank_ == 0 ? limit_ : 1.5 * limit_;
  auto last_tick = clock::now();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    // This process itself did not run for a while (stopped and continued, or starved): the
    // silence it saw is its own; the others get a fresh limit.
    if (seconds_since(last_tick) > 0.5 * limit_ + period.count()) {
      std::fill(last_heard.begin(), last_heard.end(), clock::now());
    }
    last_tick = clock::now();
    for (int peer = 0; peer < size_; ++peer) {
      if (peer == rank_ || (rank_ != 0 && peer != 0)) continue;
      MPI_Request request = MPI_REQUEST_NULL;
      MPI_Isend(&beat, 1, MPI_CHAR, peer, tag_heartbeat, comm_, &request);
      // Never waited for: a send to a cut-off rank must not block the watch.
      MPI_Request_free(&request);
    }
    for (int from = take_heartbeat(comm_); from >= 0; from = take_heartbeat(comm_)) {
      last_heard[static_cast<std::size_t>(from)] = clock::now();
    }
    std::vector<int> silent;
    double longest = 0;
    for (int peer = 0; peer < size_; ++peer) {
      if (peer == rank_ || (rank_ != 0 && peer != 0)) continue;
      const double quiet = seconds_since(last_heard[static_cast<std::size_t>(peer)]);
      if (quiet > patience) {
        silent.push_back(peer);
        longest = std::max(longest, quiet);
      }
    }
    if (silent.empty()) continue;
    char limit_text[32];
    std::snprintf(limit_text, sizeof limit_text, "%g", limit_);
    end_job("mpimr: rank " + std::to_string(rank_) + " has had no sign of life from rank" +
            (silent.size() > 1 ? "s " : " ") + rank_list(silent) + " for " +
            std::to_string(static_cast<long long>(longest)) + " s (stall limit " + limit_text +
            " s): stopped, hung or cut off; ending the job (exit code " +
            std::to_string(stall_exit_code) + ")");
  }
}

}  // namespace mpimr::detail
