// The stop flag and the signal handlers that set it (see stop.hpp).
#include "mpimr/stop.hpp"

#include <atomic>
#include <csignal>

namespace mpimr {
namespace {

// Lock-free, so reading and writing it from a signal handler is safe. -1: no stop requested.
std::atomic<int> requested_signal{-1};
static_assert(std::atomic<int>::is_always_lock_free);

constexpr int handled_signals[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2};

extern "C" void on_stop_signal(int signal_number) {
  int none = -1;
  if (requested_signal.compare_exchange_strong(none, signal_number)) return;
  if (requested_signal.load() != signal_number) return;
  // The same signal again while the stop is pending: the user insists, so end now.
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a read or an MPI wait in progress carries on; the flag is looked at between chunks.
  action.sa_flags = SA_RESTART;
  for (const int s : handled_signals) sigaction(s, &action, nullptr);
}

bool stop_requested() noexcept { return requested_signal.load(std::memory_order_relaxed) >= 0; }

int stop_signal() noexcept {
  const int s = requested_signal.load(std::memory_order_relaxed);
  return s > 0 ? s : 0;
}

void request_stop(int signal_number) noexcept {
  int none = -1;
  requested_signal.compare_exchange_strong(none, signal_number < 0 ? 0 : signal_number);
}

void clear_stop() noexcept { requested_signal.store(-1); }

}  // namespace mpimr
