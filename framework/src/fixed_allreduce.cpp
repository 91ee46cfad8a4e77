// allreduce_slot and failure_message (see detail/fixed_allreduce.hpp).
#include "mpimr/detail/fixed_allreduce.hpp"

#include <map>
#include <mutex>
#include <utility>

#include "mpimr/detail/byte_transport.hpp"
#include "traffic.hpp"

namespace mpimr::detail {
namespace {

struct slot_handles {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
};

/// The MPI datatype and operation of each slot size and join, made on first use and kept: making
/// and freeing them on every call cost 0.2 us of the 4 us an iterative call costs at 2 ranks
/// (bench_call_overhead). MPI_Finalize frees them, as it deletes MPI_COMM_SELF's attributes first.
class slot_handle_cache {
 public:
  static slot_handle_cache& instance() {
    // Never destroyed: MPI_Finalize, which frees the handles, may run after static destructors.
    static auto* const cache = new slot_handle_cache;
    return *cache;
  }

  slot_handles get(std::size_t bytes, MPI_User_function* apply) {
    const std::lock_guard lock(mutex_);
    const auto found = handles_.find({bytes, apply});
    if (found != handles_.end()) return found->second;
    if (keyval_ == MPI_KEYVAL_INVALID) {
      MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, &free_all, &keyval_, nullptr);
      MPI_Comm_set_attr(MPI_COMM_SELF, keyval_, this);
    }
    slot_handles made;
    MPI_Type_contiguous(static_cast<int>(bytes), MPI_BYTE, &made.type);
    MPI_Type_commit(&made.type);
    MPI_Op_create(apply, 0, &made.op);  // 0: not commutative, so MPI keeps rank order
    handles_.emplace(std::pair{bytes, apply}, made);
    return made;
  }

 private:
  static int free_all(MPI_Comm, int keyval, void* attribute, void*) {
    auto& cache = *static_cast<slot_handle_cache*>(attribute);
    const std::lock_guard lock(cache.mutex_);
    for (auto& [key, handles] : cache.handles_) {
      MPI_Op_free(&handles.op);
      MPI_Type_free(&handles.type);
    }
    cache.handles_.clear();
    MPI_Comm_free_keyval(&keyval);
    cache.keyval_ = MPI_KEYVAL_INVALID;
    return MPI_SUCCESS;
  }

  std::mutex mutex_;
  std::map<std::pair<std::size_t, MPI_User_function*>, slot_handles> handles_;
  int keyval_ = MPI_KEYVAL_INVALID;
};

}  // namespace

void allreduce_slot(MPI_Comm comm, void* slot, std::size_t bytes, MPI_User_function* apply) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size > 1) {  // counted as the slot sent once and received once, as allreduce_in_place does
    count_sent(bytes);
    count_received(bytes);
  }
  const slot_handles handles = slot_handle_cache::instance().get(bytes, apply);
  // A reduce to rank 0 and a broadcast, not MPI_Allreduce: with an algorithm where every rank
  // joins the values itself (Open MPI's at 2 ranks) each rank would record a failed join as its
  // own, and the ranks would disagree on whose message to take. Rank 0's result is the only one.
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : slot, rank == 0 ? slot : nullptr, 1, handles.type,
             handles.op, 0, comm);
  MPI_Bcast(slot, 1, handles.type, 0, comm);
}

std::string failure_message(MPI_Comm comm, int rank, const fixed_slot_state& state,
                            const std::vector<std::string>& failures) {
  byte_buffer message;
  if (rank == state.failed_rank) {
    const std::string& text = failures.at(state.failure_index);
    const auto* first = reinterpret_cast<const std::byte*>(text.data());
    message.assign(first, first + text.size());
  }
  bcast_bytes(comm, state.failed_rank, message);
  return {reinterpret_cast<const char*>(message.data()), message.size()};
}

}  // namespace mpimr::detail
