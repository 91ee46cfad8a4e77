// Context set-up: duplicate communicator, node communicator, and the node-shared counter window.
#include "mpimr/context.hpp"

#include <cstdlib>
#include <new>
#include <string_view>

#include "context_state.hpp"
#include "mpimr/errors.hpp"

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
  const MPI_Aint bytes =
      s.node_rank == 0 ? sizeof(detail::counter_slot) * detail::counter_slots : 0;
  void* base = nullptr;
  MPI_Win_allocate_shared(bytes, sizeof(detail::counter_slot), MPI_INFO_NULL, s.node_comm, &base,
                          &s.node_window);
  MPI_Aint size = 0;
  int unit = 0;
  MPI_Win_shared_query(s.node_window, 0, &size, &unit, &base);
  s.slots = static_cast<detail::counter_slot*>(base);
  if (s.node_rank == 0) {
    for (int i = 0; i < detail::counter_slots; ++i) new (&s.slots[i]) detail::counter_slot{0};
  }
  MPI_Barrier(s.node_comm);  // nobody reads a slot before it is zeroed
}

}  // namespace

context::context() : context(MPI_COMM_WORLD) {}

context::context(MPI_Comm comm) : state_(std::make_unique<detail::context_state>()) {
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
  int level = 0;
  MPI_Query_thread(&level);
  s.thread_multiple = level >= MPI_THREAD_MULTIPLE;
  s.dispenser = choose_dispenser(s);
  allocate_counter_window(s);
}

// Freeing is collective; it lives in the state so that moved-from and move-assigned contexts free
// exactly once. After MPI_Finalize nothing can be freed any more, so nothing is tried.
detail::context_state::~context_state() {
  if (!mpi_is_running()) return;
  if (node_window != MPI_WIN_NULL) MPI_Win_free(&node_window);
  if (node_comm != MPI_COMM_NULL) MPI_Comm_free(&node_comm);
  if (exchange_comm != MPI_COMM_NULL) MPI_Comm_free(&exchange_comm);
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

}  // namespace mpimr
