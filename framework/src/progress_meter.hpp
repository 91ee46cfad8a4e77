// The progress of one operation: every rank counts its finished chunks and, at most four times a
// second, sends the count to rank 0, where a thread (or, without MPI_THREAD_MULTIPLE, rank 0's own
// chunk loop) prints the line. No rank waits for another to report, and rank 0's line keeps moving
// while rank 0 itself is deep inside a long chunk. The thread lives as long as the context, so an
// operation does not pay for starting one.
#pragma once

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mpimr::detail {

struct context_state;
class progress_meter;

/// Rank 0's thread that looks for counts and prints, for the meter of the running operation.
class progress_thread {
 public:
  progress_thread();
  ~progress_thread();
  progress_thread(const progress_thread&) = delete;
  progress_thread& operator=(const progress_thread&) = delete;

  void attach(progress_meter* meter);
  /// After it returns the thread no longer touches the meter.
  void detach();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  progress_meter* active_ = nullptr;
  std::thread thread_;
};

class progress_meter {
 public:
  /// Made on every rank of an operation when progress is on (the same decision everywhere).
  progress_meter(context_state& s, std::uint64_t total, std::string_view label);
  /// Waits for this rank's last message and, on rank 0, for every rank's (see close).
  ~progress_meter();
  progress_meter(const progress_meter&) = delete;
  progress_meter& operator=(const progress_meter&) = delete;

  /// After each chunk this rank ran (its own thread, between chunks), at time `now`.
  void chunk_done(std::chrono::steady_clock::time_point now);
  /// After this rank's chunk loop, on every path: sends its final count to rank 0.
  void loop_done();
  /// After the agreement that follows every loop (so every rank has sent its final count): rank 0
  /// takes them all in and prints the last line. `complete`: the operation succeeded. `drain`:
  /// every rank had a meter (false when the ranks' progress settings differ).
  void close(bool complete, bool drain = true);

  /// Rank 0: takes in the counts that arrived and prints if a line is due.
  void poll();

 private:
  using clock = std::chrono::steady_clock;

  void send(int tag);
  void take_messages(bool wait_for_finals);
  void print_due();
  void print_line(bool final_line);

  MPI_Comm comm_;
  int rank_;
  int size_;
  bool terminal_;
  progress_thread* monitor_ = nullptr;  // rank 0 with MPI_THREAD_MULTIPLE
  double interval_;
  std::uint64_t total_;
  std::string label_;
  clock::time_point start_;

  // Every rank: its own count and the last message sent to rank 0.
  std::atomic<std::uint64_t> mine_{0};
  std::uint64_t outgoing_ = 0;
  MPI_Request pending_ = MPI_REQUEST_NULL;
  clock::time_point next_send_;
  bool final_sent_ = false;

  // Rank 0: every rank's last reported count, and who has sent its final one.
  std::vector<std::uint64_t> counts_;
  int finals_ = 0;
  clock::time_point next_print_;
  bool printed_ = false;
  bool closed_ = false;
};

}  // namespace mpimr::detail
