// MPI start-up and shut-down owned by mpimr only when mpimr did the start-up.
#include "mpimr/environment.hpp"

#include <mpi.h>

#include <string>

#include "mpimr/errors.hpp"
#include "mpimr/stop.hpp"

namespace mpimr {

environment::environment() { init(nullptr, nullptr); }

environment::environment(int& argc, char**& argv) { init(&argc, &argv); }

void environment::init(int* argc, char*** argv) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized != 0)
    throw error("mpimr::environment: MPI was already finalized; it cannot restart");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    MPI_Query_thread(&thread_level_);
    return;
  }
  if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &thread_level_) != MPI_SUCCESS) {
    throw error("mpimr::environment: MPI_Init_thread failed");
  }
  owns_ = true;
  // Installed after MPI_Init_thread, which may install handlers of its own: ours must win. A host
  // code that owns MPI keeps its handlers unless it calls install_stop_handlers() itself.
  install_stop_handlers();
  // A lower level is not an error: contexts then serve cross-node chunk requests between chunks
  // instead of from a thread (see thread_multiple()).
}

bool environment::thread_multiple() const noexcept { return thread_level_ >= MPI_THREAD_MULTIPLE; }

environment::~environment() {
  if (!owns_) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized == 0) MPI_Finalize();
}

}  // namespace mpimr
