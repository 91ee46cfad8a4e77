// Brings MPI up for a program (or joins a host code that already did) and takes it down only if it
// brought it up.
#pragma once

namespace mpimr {

/// Create one at the start of main(). Initializes MPI with MPI_THREAD_MULTIPLE when nobody has yet
/// (mpimr's dynamic scheduler between nodes runs a service thread that needs it) and finalizes MPI
/// on destruction only in that case. When the host code already initialized MPI this is normal: the
/// environment records the thread level the host obtained and mpimr adapts to it. When it
/// initializes MPI it also installs mpimr's stop handlers (see stop.hpp).
class environment {
 public:
  environment();
  environment(int& argc, char**& argv);
  ~environment();

  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;

  /// True if this object called MPI_Init_thread (and so will call MPI_Finalize).
  [[nodiscard]] bool owns_mpi() const noexcept { return owns_; }
  /// The thread level MPI provided (an MPI_THREAD_* value).
  [[nodiscard]] int thread_level() const noexcept { return thread_level_; }
  /// True when MPI allows calls from several threads at once.
  [[nodiscard]] bool thread_multiple() const noexcept;

 private:
  void init(int* argc, char*** argv);

  bool owns_ = false;
  int thread_level_ = 0;
};

}  // namespace mpimr
