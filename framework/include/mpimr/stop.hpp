// Graceful stop: SIGTERM, SIGINT, SIGUSR1 or SIGUSR2 on any rank makes every rank stop taking new
// chunks, and the running operation throws mpimr::interrupted on every rank.
#pragma once

namespace mpimr {

/// Installs mpimr's handlers for SIGTERM, SIGINT, SIGUSR1 and SIGUSR2. mpimr::environment does this
/// when it initializes MPI itself; a host code that owns MPI (and perhaps its own handlers) calls
/// it only if it wants mpimr's stop. A handler only records the signal; a second signal of the same
/// kind while the first is pending gets the default action (a second Ctrl-C ends the program).
void install_stop_handlers();

/// True once a stop was requested on this rank (by a signal or request_stop).
[[nodiscard]] bool stop_requested() noexcept;

/// The signal that requested the stop; 0 for request_stop() without a signal or no stop at all.
[[nodiscard]] int stop_signal() noexcept;

/// Requests a stop as a signal would (for codes with their own time limit, and for tests).
void request_stop(int signal_number = 0) noexcept;

/// Forgets a requested stop, so a program that handled mpimr::interrupted can go on.
void clear_stop() noexcept;

}  // namespace mpimr
