// The progress of one operation (see progress_meter.hpp).
#include "progress_meter.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "context_state.hpp"

namespace mpimr::detail {
namespace {

enum : int { tag_count = 1, tag_final = 2 };

/// Counts reach rank 0 at most this often, whatever the print interval.
constexpr std::chrono::milliseconds send_period{250};
/// How often rank 0's monitor thread looks for counts.
constexpr std::chrono::milliseconds poll_period{50};
/// A terminal's line is redrawn at most this often.
constexpr double terminal_redraw_seconds = 0.5;

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (seconds < 3600) {
    const auto s = static_cast<long>(seconds);
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  } else {
    const auto m = static_cast<long>(seconds / 60);
    std::snprintf(text, sizeof text, "%ldh%02ldm", m / 60, m % 60);
  }
  return text;
}

}  // namespace

progress_thread::progress_thread() : thread_([this] { run(); }) {}

progress_thread::~progress_thread() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void progress_thread::attach(progress_meter* meter) {
  // No wake-up: the thread looks within one poll period, and an operation shorter than that
  // prints nothing anyway.
  const std::lock_guard lock(mutex_);
  active_ = meter;
}

void progress_thread::detach() {
  const std::lock_guard lock(mutex_);
  active_ = nullptr;
}

void progress_thread::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (active_ != nullptr) active_->poll();
    wake_.wait_for(lock, poll_period, [this] { return stopping_; });
  }
}

progress_meter::progress_meter(context_state& s, std::uint64_t total, std::string_view label)
    : comm_(s.progress_comm),
      rank_(s.rank),
      size_(s.size),
      terminal_(s.stderr_terminal),
      interval_(terminal_ ? std::min(s.progress_interval, terminal_redraw_seconds)
                          : s.progress_interval),
      total_(total),
      label_(label),
      start_(clock::now()),
      next_send_(start_ + send_period) {
  if (rank_ != 0) return;
  counts_.assign(static_cast<std::size_t>(size_), 0);
  next_print_ = start_ + std::chrono::duration_cast<clock::duration>(
                             std::chrono::duration<double>(interval_));
  if (!s.thread_multiple) return;
  if (!s.progress_monitor) s.progress_monitor = std::make_unique<progress_thread>();
  monitor_ = s.progress_monitor.get();
  monitor_->attach(this);
}

progress_meter::~progress_meter() {
  if (!closed_) close(false);
}

void progress_meter::chunk_done(clock::time_point now) {
  // Only this thread writes the count: no atomic read-modify-write needed.
  mine_.store(mine_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (now < next_send_) return;
  next_send_ = now + send_period;
  if (rank_ != 0) {
    send(tag_count);
  } else if (monitor_ == nullptr) {
    poll();  // without a monitor thread rank 0 looks and prints between its own chunks
  }
}

void progress_meter::poll() {
  take_messages(false);
  print_due();
}

void progress_meter::send(int tag) {
  if (pending_ != MPI_REQUEST_NULL) {
    int done = 0;
    if (tag == tag_final) {
      MPI_Wait(&pending_, MPI_STATUS_IGNORE);
    } else {
      MPI_Test(&pending_, &done, MPI_STATUS_IGNORE);
      if (done == 0) return;  // rank 0 has not taken the last one yet: skip this one
    }
  }
  outgoing_ = mine_.load(std::memory_order_relaxed);
  MPI_Isend(&outgoing_, 1, MPI_UINT64_T, 0, tag, comm_, &pending_);
}

void progress_meter::loop_done() {
  if (final_sent_) return;
  final_sent_ = true;
  if (rank_ != 0) send(tag_final);
}

void progress_meter::take_messages(bool wait_for_finals) {
  for (;;) {
    int pending = 0;
    MPI_Status status;
    if (wait_for_finals && finals_ < size_ - 1) {
      MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &status);
      pending = 1;
    } else {
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &pending, &status);
    }
    if (pending == 0) return;
    std::uint64_t count = 0;
    MPI_Recv(&count, 1, MPI_UINT64_T, status.MPI_SOURCE, status.MPI_TAG, comm_, MPI_STATUS_IGNORE);
    counts_[static_cast<std::size_t>(status.MPI_SOURCE)] = count;
    if (status.MPI_TAG == tag_final) ++finals_;
  }
}

void progress_meter::print_due() {
  const clock::time_point now = clock::now();
  if (now < next_print_) return;
  next_print_ =
      now + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(interval_));
  print_line(false);
}

void progress_meter::print_line(bool final_line) {
  counts_[0] = mine_.load(std::memory_order_relaxed);
  std::uint64_t done = 0;
  for (const std::uint64_t c : counts_) done += c;
  const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  std::string eta = "?";
  if (final_line) {
    eta = "0.0s";
  } else if (rate > 0 && done <= total_) {
    eta = duration_text(static_cast<double>(total_ - done) / rate);
  }
  const double percent =
      total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  std::string name = label_.empty() ? std::string("mpimr") : "mpimr " + label_;
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %llu/%llu chunks (%.1f%%), %.4g chunks/s, elapsed %s, ETA %s", name.c_str(),
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                percent, rate, duration_text(elapsed).c_str(), eta.c_str());
  // A terminal's line is redrawn in place (carriage return, clear to the end); the last one ends
  // it. A file gets whole lines.
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K%s", line, final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
  printed_ = true;
}

void progress_meter::close(bool complete, bool drain) {
  closed_ = true;
  loop_done();
  if (rank_ != 0) {
    if (pending_ != MPI_REQUEST_NULL) MPI_Wait(&pending_, MPI_STATUS_IGNORE);
    return;
  }
  if (monitor_ != nullptr) monitor_->detach();
  // Every rank sent its final count before the agreement that precedes this: none is missing.
  if (drain) take_messages(true);
  // An operation shorter than one interval says nothing: iterative codes run many short ones.
  const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
  if (printed_ || elapsed >= interval_) {
    if (!complete && terminal_ && printed_) std::fprintf(stderr, "\n");
    if (complete) print_line(true);
  }
}

}  // namespace mpimr::detail
