// Context set-up: duplicate communicator, node communicator, and the node-shared counter window.
#include "mpimr/context.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "context_state.hpp"
#include "mpimr/errors.hpp"
#include "node_window.hpp"
#include "progress_environment.hpp"
#include "progress_meter.hpp"

namespace mpimr {
namespace {

bool mpi_is_running() {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized != 0 && finalized == 0;
}

// MPIMR_DISPENSER=service forces the cross-node scheduler on one node, so tests can run it here.
detail::dispenser_kind choose_dispenser(const detail::context_state& s) {
  const char* forced = std::getenv("MPIMR_DISPENSER");
  if (forced != nullptr && std::string_view(forced) == "service")
    return detail::dispenser_kind::service;
  if (forced != nullptr && std::string_view(forced) == "node")
    return detail::dispenser_kind::node_counter;
  return s.node_size == s.size ? detail::dispenser_kind::node_counter
                               : detail::dispenser_kind::service;
}

void allocate_counter_window(detail::context_state& s) {
  static_assert(alignof(detail::counter_slot) <= detail::node_window_alignment);
  s.slots = reinterpret_cast<detail::counter_slot*>(detail::allocate_node_window(
      s.node_comm, sizeof(detail::counter_slot) * detail::counter_slots, &s.node_window));
  if (s.node_rank == 0) {
    for (int i = 0; i < detail::counter_slots; ++i) new (&s.slots[i]) detail::counter_slot{0};
  }
  MPI_Barrier(s.node_comm);  // nobody reads a slot before it is zeroed
}

/// The code's setting wins over MPIMR_STALL_LIMIT. Every rank decides alike (same settings, same
/// environment), so every rank throws or none does.
void start_stall_watch(detail::context_state& s, const context_settings& settings) {
  if (std::isnan(settings.stall_limit_seconds)) {
    throw invalid_argument("mpimr::context: stall_limit_seconds is not a number");
  }
  if (settings.stall_limit_seconds > detail::max_stall_limit_seconds) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", settings.stall_limit_seconds);
    throw invalid_argument(std::string("mpimr::context: stall_limit_seconds ") + value +
                           " is more than 1e9 (0 means no limit)");
  }
  const double limit = settings.stall_limit_seconds >= 0 ? settings.stall_limit_seconds
                                                         : detail::stall_limit_from_environment();
  if (limit == 0) return;
  if (!s.thread_multiple) {
    throw invalid_argument(
        "mpimr::context: a stall limit needs MPI_THREAD_MULTIPLE, which this MPI was not "
        "initialized with");
  }
  s.stall = std::make_unique<detail::stall_watch>(s.comm, limit);
}

/// Under mpirun the ranks' stderr is a pipe to the launcher, which writes to the terminal, if any:
/// then the launcher's stderr (on Linux, the parent's file descriptor 2) decides.
bool launcher_stderr_is_terminal() {
  struct stat own {};
  if (fstat(STDERR_FILENO, &own) != 0 || !S_ISFIFO(own.st_mode)) return false;
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMIX_RANK") == nullptr &&
      std::getenv("PMI_RANK") == nullptr) {
    return false;  // not started by a launcher: the pipe is the user's own redirection
  }
  const std::string parent = "/proc/" + std::to_string(getppid()) + "/fd/2";
  const int fd = open(parent.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool terminal = isatty(fd) != 0;
  close(fd);
  return terminal;
}

/// MPIMR_PROGRESS is read on every rank (the same environment gives the same outcome); whether
/// stderr is a terminal is rank 0's answer, broadcast, since rank 0 alone prints.
void prepare_progress(detail::context_state& s) {
  s.progress_environment = detail::progress_from_environment();
  int terminal = 0;
  if (s.rank == 0) terminal = isatty(STDERR_FILENO) != 0 || launcher_stderr_is_terminal() ? 1 : 0;
  MPI_Bcast(&terminal, 1, MPI_INT, 0, s.comm);
  s.stderr_terminal = terminal != 0;
  MPI_Comm_dup(s.comm, &s.progress_comm);
}

}  // namespace

context::context() : context(MPI_COMM_WORLD) {}

context::context(MPI_Comm comm) : context(comm, context_settings{}) {}

context::context(MPI_Comm comm, const context_settings& settings)
    : state_(std::make_unique<detail::context_state>()) {
  if (!mpi_is_running()) {
    throw error("mpimr::context: MPI is not running; create an mpimr::environment first");
  }
  if (comm == MPI_COMM_NULL)
    throw invalid_argument("mpimr::context: the communicator is MPI_COMM_NULL");
  auto& s = *state_;
  MPI_Comm_dup(comm, &s.comm);
  MPI_Comm_dup(comm, &s.exchange_comm);
  MPI_Comm_rank(s.comm, &s.rank);
  MPI_Comm_size(s.comm, &s.size);
  MPI_Comm_split_type(s.comm, MPI_COMM_TYPE_SHARED, s.rank, MPI_INFO_NULL, &s.node_comm);
  MPI_Comm_rank(s.node_comm, &s.node_rank);
  MPI_Comm_size(s.node_comm, &s.node_size);
  int leader = s.node_rank == 0 ? 1 : 0;
  MPI_Allreduce(&leader, &s.node_count, 1, MPI_INT, MPI_SUM, s.comm);
  if (s.node_count > 1) {
    MPI_Comm_split(s.comm, leader == 1 ? 0 : MPI_UNDEFINED, s.rank, &s.leader_comm);
  }
  int level = 0;
  MPI_Query_thread(&level);
  s.thread_multiple = level >= MPI_THREAD_MULTIPLE;
  s.dispenser = choose_dispenser(s);
  allocate_counter_window(s);
  start_stall_watch(s, settings);
  prepare_progress(s);
  set_progress(settings.progress);
}

void context::set_progress(const progress_settings& settings) {
  auto& s = *state_;
  if (std::isnan(settings.interval_seconds) || settings.interval_seconds < 0 ||
      settings.interval_seconds > 1e6) {
    throw invalid_argument(
        "mpimr::context: progress interval_seconds is not a number of seconds "
        "from 0 to 1e6");
  }
  progress_mode mode = settings.mode;
  if (mode == progress_mode::automatic) mode = s.progress_environment.mode;
  s.progress_on = mode == progress_mode::automatic ? s.stderr_terminal : mode == progress_mode::on;
  s.progress_interval = settings.interval_seconds > 0 ? settings.interval_seconds
                        : s.progress_environment.interval_seconds > 0
                            ? s.progress_environment.interval_seconds
                            : 10.0;
}

bool context::progress_shown() const noexcept { return state_->progress_on; }

// Freeing is collective; it lives in the state so that moved-from and move-assigned contexts free
// exactly once. After MPI_Finalize nothing can be freed any more, so nothing is tried.
detail::context_state::~context_state() {
  if (!mpi_is_running()) return;
  stall.reset();
  progress_monitor.reset();  // its thread probes progress_comm, freed below
  if (node_window != MPI_WIN_NULL) MPI_Win_free(&node_window);
  if (leader_comm != MPI_COMM_NULL) MPI_Comm_free(&leader_comm);
  if (node_comm != MPI_COMM_NULL) MPI_Comm_free(&node_comm);
  if (exchange_comm != MPI_COMM_NULL) MPI_Comm_free(&exchange_comm);
  if (progress_comm != MPI_COMM_NULL) MPI_Comm_free(&progress_comm);
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
}

context::~context() = default;

context::context(context&&) noexcept = default;
context& context::operator=(context&&) noexcept = default;

int context::rank() const noexcept { return state_->rank; }
int context::size() const noexcept { return state_->size; }
int context::node_size() const noexcept { return state_->node_size; }
int context::node_count() const noexcept { return state_->node_count; }
MPI_Comm context::communicator() const noexcept { return state_->comm; }
const run_report& context::last_report() const noexcept { return state_->last_report; }
const run_report& context::total_report() const noexcept { return state_->total_report; }
void context::set_reporting(bool on) noexcept { state_->reporting = on; }

}  // namespace mpimr
